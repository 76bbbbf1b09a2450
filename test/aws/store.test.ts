// The DynamoDB store against DynamoDB Local through the real SDK client: leases
// and fencing, the commit log (positions, idempotent retries, trimming), large
// checkpoints and statuses split over items, status queries, and injected
// throttling, conflicts and lost answers that must neither lose nor double a write.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GetItemCommand, ScanCommand, ThrottlingException, TransactionCanceledException, ProvisionedThroughputExceededException } from "@aws-sdk/client-dynamodb";
import { tableNames } from "../../runtime/backends/aws/options.ts";
import { startAwsEmulators, type AwsEmulators } from "../../runtime/testing.ts";
import { createAwsBackend, type AwsBackend } from "../../runtime/backends/aws/index.ts";
import { FencedError, type CommitRecord, type InstanceStatusRecord, type Lease } from "../../runtime/backends/types.ts";
import { countRequests, failFirst, loseAnswer } from "./inject.ts";

const PARTITIONS = 4;
let emu: AwsEmulators;
let backend: AwsBackend;

test.before(async () => {
  emu = await startAwsEmulators({ partitions: PARTITIONS });
  backend = await createAwsBackend(emu.backend, PARTITIONS);
});
test.after(async () => {
  await backend?.close();
  await emu?.stop();
});

const store = () => backend.store;

function status(instanceId: string, extra: Partial<InstanceStatusRecord> = {}): InstanceStatusRecord {
  return {
    instanceId, name: "orch", status: "Running", input: null, output: null, error: null, customStatus: null,
    createdAt: 1000, updatedAt: 1000, ...extra,
  };
}

function commit(lease: Lease, position: number, extra: Partial<CommitRecord> = {}): CommitRecord {
  return { position, epoch: lease.epoch, updates: [{ key: `obj:${position}`, value: { position } }], statusUpdates: [], ...extra };
}

test("a free lease is acquired at epoch 1, renewed by its owner, refused to others while valid", async () => {
  const lease = await store().acquireLease(0, "host-a", 10_000);
  assert.ok(lease);
  assert.is(lease!.epoch, 1);
  assert.is(lease!.owner, "host-a");
  assert.is(await store().acquireLease(0, "host-b", 10_000), undefined);
  const again = await store().acquireLease(0, "host-a", 20_000);
  assert.is(again!.epoch, 1);
  assert.ok(again!.expiresAtMs >= lease!.expiresAtMs);
  const renewed = await store().renewLease(again!, 30_000);
  assert.is(renewed!.epoch, 1);
  assert.ok(renewed!.expiresAtMs > again!.expiresAtMs);
});

test("an expired lease is taken over with a new epoch; the stale owner can neither renew, commit nor checkpoint", async () => {
  const old = (await store().acquireLease(1, "host-a", 300))!;
  await store().appendCommit(old, commit(old, 1));
  await new Promise((r) => setTimeout(r, 400));
  const fresh = (await store().acquireLease(1, "host-b", 10_000))!;
  assert.is(fresh.epoch, old.epoch + 1);
  assert.is(fresh.owner, "host-b");
  assert.is(await store().renewLease(old, 10_000), undefined);
  try {
    await store().appendCommit(old, commit(old, 2));
    assert.unreachable("a stale owner committed");
  } catch (error) {
    assert.instance(error, FencedError);
    assert.match((error as Error).message, /epoch 1 is fenced off by epoch 2/);
  }
  try {
    await store().writeCheckpoint(old, { logPosition: 1 }, [{ key: "obj:1", value: "stale" }]);
    assert.unreachable("a stale owner checkpointed");
  } catch (error) {
    assert.instance(error, FencedError);
  }
  assert.equal(await store().readObject(1, "obj:1"), undefined);
  await store().appendCommit(fresh, commit(fresh, 2));
  assert.equal((await store().readCommits(1, 0)).map((r) => [r.position, r.epoch]), [[1, 1], [2, 2]]);
  // Releasing keeps the epoch; the next owner bumps it again.
  await store().releaseLease(fresh);
  const third = (await store().acquireLease(1, "host-c", 10_000))!;
  assert.is(third.epoch, 3);
  await store().releaseLease(old); // releasing a lost lease is harmless
  assert.is((await store().readLease(1))!.owner, "host-c");
});

test("two hosts racing for an expired lease: exactly one wins", async () => {
  const first = (await store().acquireLease(2, "host-a", 100))!;
  await new Promise((r) => setTimeout(r, 200));
  const results = await Promise.all(["x", "y", "z"].map((h) => store().acquireLease(2, `host-${h}`, 10_000)));
  const winners = results.filter((l) => l !== undefined);
  assert.is(winners.length, 1);
  assert.is(winners[0]!.epoch, first.epoch + 1);
});

test("commits append in order: a position that is not last+1 is refused; reads return them after a position", async () => {
  const lease = (await store().acquireLease(3, "host-a", 60_000))!;
  await store().appendCommit(lease, commit(lease, 1, { inputPosition: "100" }));
  for (const bad of [1, 3]) {
    try {
      await store().appendCommit(lease, commit(lease, bad));
      assert.unreachable();
    } catch (error) {
      assert.match((error as Error).message, /is not the next one \(last committed: 1\)/);
    }
  }
  await store().appendCommit(lease, commit(lease, 2, { inputPosition: "200" }));
  await store().appendCommit(lease, commit(lease, 3, { inputPosition: "300" }));
  assert.equal((await store().readCommits(3, 1)).map((r) => r.position), [2, 3]);
  assert.equal((await store().readCommits(3, 3)), []);
  const [two] = await store().readCommits(3, 1);
  assert.equal(two, commit(lease, 2, { inputPosition: "200" }));
  assert.equal(await store().readHead(3), { last: 3, inputPosition: "300" });
  await store().trimCommits(3, 2);
  assert.equal((await store().readCommits(3, 0)).map((r) => r.position), [3]);
  await store().appendCommit(lease, commit(lease, 4));
  assert.equal((await store().readCommits(3, 0)).map((r) => r.position), [3, 4]);
});

test("a commit larger than one item is split over items and read back whole", async () => {
  const lease = (await store().acquireLease(0, "host-a", 60_000))!;
  const big = "z".repeat(900 * 1024);
  const head = await store().readHead(0);
  const record = commit(lease, head.last + 1, { updates: [{ key: "big", value: big }] });
  await store().appendCommit(lease, record);
  const [back] = await store().readCommits(0, head.last);
  assert.equal(back, record);
});

test("a commit whose answer was lost is retried and found committed: applied once, not reported failed", async () => {
  const lease = (await store().acquireLease(0, "host-a", 60_000))!;
  const { last } = await store().readHead(0);
  const lose = loseAnswer(backend.clients.dynamodb, "TransactWriteItemsCommand", 1, () =>
    Object.assign(new Error("socket hang up (injected)"), { code: "ECONNRESET" }));
  try {
    await store().appendCommit(lease, commit(lease, last + 1));
  } finally {
    lose.remove();
  }
  assert.is(lose.lost(), 1);
  assert.equal((await store().readCommits(0, last)).map((r) => r.position), [last + 1]);
  assert.is((await store().readHead(0)).last, last + 1);
});

test("throttling and transaction conflicts on commits are retried; each commit lands once", async () => {
  const lease = (await store().acquireLease(0, "host-a", 60_000))!;
  const { last } = await store().readHead(0);
  let n = 0;
  const errors = [
    () => new ThrottlingException({ message: "Rate of requests exceeds the allowed throughput (injected)", $metadata: {} }),
    () => new ProvisionedThroughputExceededException({ message: "injected", $metadata: {} }),
    () => new TransactionCanceledException({ message: "Transaction cancelled (injected)", $metadata: {}, CancellationReasons: [{ Code: "None" }, { Code: "TransactionConflict" }] }),
  ];
  const fail = failFirst(backend.clients.dynamodb, "TransactWriteItemsCommand", 6, () => errors[n++ % errors.length]());
  try {
    for (let i = 1; i <= 3; i++) await store().appendCommit(lease, commit(lease, last + i, { statusUpdates: [status(`thr-${i}`)] }));
  } finally {
    fail.remove();
  }
  assert.is(fail.failed(), 6);
  assert.equal((await store().readCommits(0, last)).map((r) => r.position), [last + 1, last + 2, last + 3]);
  for (let i = 1; i <= 3; i++) assert.is((await store().readStatus(`thr-${i}`))?.status, "Running");
});

test("status updates commit with the record; more than fit in one transaction are written right after it", async () => {
  const lease = (await store().acquireLease(2, "host-s", 60_000)) ?? (await waitForLease(2, "host-s"));
  const { last } = await store().readHead(2);
  await store().appendCommit(lease, commit(lease, last + 1, { statusUpdates: [status("in-tx", { status: "Completed", output: { ok: true } })] }));
  assert.equal(await store().readStatus("in-tx"), status("in-tx", { status: "Completed", output: { ok: true } }));
  const many = Array.from({ length: 150 }, (_, i) => status(`many-${String(i).padStart(3, "0")}`, { createdAt: 5000 + i, updatedAt: 5000 + i }));
  const counter = countRequests(backend.clients.dynamodb);
  await store().appendCommit(lease, commit(lease, last + 2, { statusUpdates: many }));
  counter.remove();
  assert.is(counter.counts.get("TransactWriteItemsCommand"), 1);
  const listed = await store().listStatus({ instanceIdPrefix: "many-" });
  assert.is(listed.length, 150);
  assert.equal(listed[0], many[0]);
  // Recovery re-applies deferred statuses, but never over a newer one.
  await store().appendCommit(lease, commit(lease, last + 3, { statusUpdates: [status("many-000", { status: "Completed", createdAt: 5000, updatedAt: 9999 })] }));
  await store().readCommits(2, last);
  assert.is((await store().readStatus("many-000"))!.status, "Completed");
});

async function waitForLease(partition: number, owner: string): Promise<Lease> {
  for (let i = 0; i < 100; i++) {
    const lease = await store().acquireLease(partition, owner, 60_000);
    if (lease) return lease;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("lease not acquired");
}

test("listStatus filters by name, status, creation time and id prefix, with a limit", async () => {
  const lease = await waitForLease(2, "host-s");
  const { last } = await store().readHead(2);
  await store().appendCommit(lease, commit(lease, last + 1, {
    statusUpdates: [
      status("q-1", { name: "alpha", status: "Completed", createdAt: 100 }),
      status("q-2", { name: "alpha", status: "Failed", createdAt: 200, error: { name: "Error", message: "boom", stack: null } }),
      status("q-3", { name: "beta", status: "Running", createdAt: 300 }),
    ],
  }));
  const ids = async (f: Parameters<typeof store.prototype>[0] | any) => (await store().listStatus({ instanceIdPrefix: "q-", ...f })).map((s) => s.instanceId);
  assert.equal(await ids({}), ["q-1", "q-2", "q-3"]);
  assert.equal(await ids({ name: "alpha" }), ["q-1", "q-2"]);
  assert.equal(await ids({ status: ["Failed", "Running"] }), ["q-2", "q-3"]);
  assert.equal(await ids({ createdFrom: 150, createdTo: 300 }), ["q-2", "q-3"]);
  assert.equal(await ids({ limit: 2 }), ["q-1", "q-2"]);
  assert.is(await store().readStatus("nope"), undefined);
});

test("a status larger than one item round-trips", async () => {
  const lease = await waitForLease(2, "host-s");
  const { last } = await store().readHead(2);
  const output = "o".repeat(700 * 1024);
  await store().appendCommit(lease, commit(lease, last + 1, { statusUpdates: [status("large-status", { status: "Completed", output })] }));
  assert.is((await store().readStatus("large-status"))!.output, output);
  assert.is((await store().listStatus({ instanceIdPrefix: "large-" }))[0].output, output);
});

test("the chunks of a replaced large status are deleted, by the writer that remembers them or after one read by another; a losing write's too", async () => {
  const lease = await waitForLease(2, "host-s");
  let { last } = await store().readHead(2);
  const big = (c: string, updatedAt: number) => status("big-s", { customStatus: c.repeat(500 * 1024), updatedAt });
  const TableName = tableNames(emu.backend).status;
  const dynamodb = backend.clients.dynamodb;
  const chunksLeft = async (): Promise<{ n: number; vers: (string | undefined)[]; main: string | undefined }> => {
    const main = (await dynamodb.send(new GetItemCommand({ TableName, Key: { id: { S: "big-s" } }, ConsistentRead: true }))).Item!;
    const vers: (string | undefined)[] = [];
    // Every page: a scan returns at most 1 MB at a time, and the table holds other large statuses.
    for (let start: Record<string, any> | undefined, first = true; first || start; first = false) {
      const page = await dynamodb.send(new ScanCommand({ TableName, ConsistentRead: true, ExclusiveStartKey: start }));
      for (const i of page.Items ?? []) if (i.id!.S!.startsWith("big-s\u0000")) vers.push(i.ver!.S);
      start = page.LastEvaluatedKey;
    }
    return { n: Number(main.n!.N), vers, main: main.ver!.S };
  };
  const onlyCurrent = async (what: string) => {
    const { n, vers, main } = await chunksLeft();
    assert.ok(n > 1, "stored in chunks");
    assert.equal(vers, Array(n - 1).fill(main), what);
  };
  await store().appendCommit(lease, commit(lease, ++last, { statusUpdates: [big("a", 1000)] }));
  await store().appendCommit(lease, commit(lease, ++last, { statusUpdates: [big("b", 2000)] }));
  await onlyCurrent("the writer deletes the chunks it remembers");
  // A second backend (a host after a take-over) has not seen the status: it reads the old version once.
  const other = await createAwsBackend(emu.backend, PARTITIONS);
  try {
    await other.store.appendCommit(lease, commit(lease, ++last, { statusUpdates: [big("c", 3000)] }));
    await onlyCurrent("a writer that has not seen it reads it first");
  } finally {
    await other.close();
  }
  // Written after the commit (over 100 statuses), an older status loses to the stored one: its chunks go too.
  const many = Array.from({ length: 120 }, (_, i) => status(`lose-${i}`));
  await store().appendCommit(lease, commit(lease, ++last, { statusUpdates: [big("d", 2500), ...many] }));
  await onlyCurrent("a losing write leaves nothing");
  assert.is((await store().readStatus("big-s"))!.customStatus, "c".repeat(500 * 1024));
});

test("a checkpoint with an object over 400 KB and many objects round-trips; deletes remove keys", async () => {
  const lease = await waitForLease(3, "host-a");
  const big = { blob: "b".repeat(1024 * 1024), n: 1 };
  const small = Array.from({ length: 230 }, (_, i) => ({ key: `inst:${String(i).padStart(3, "0")}`, value: { i } }));
  await store().writeCheckpoint(lease, { logPosition: 4, inputPosition: "400" }, [{ key: "big", value: big }, ...small]);
  assert.equal(await store().readCheckpointState(3), { logPosition: 4, inputPosition: "400" });
  assert.equal(await store().readObject(3, "big"), big);
  assert.equal(await store().readObject(3, "inst:007"), { i: 7 });
  assert.is((await store().listObjectKeys(3, "inst:")).length, 230);
  assert.equal(await store().listObjectKeys(3, "bi"), ["big"]);
  await store().writeCheckpoint(lease, { logPosition: 5 }, [{ key: "big", value: "small now" }, { key: "inst:000", value: null }]);
  assert.equal(await store().readObject(3, "big"), "small now");
  assert.is(await store().readObject(3, "inst:000"), undefined);
  assert.is((await store().listObjectKeys(3, "inst:")).length, 229);
  assert.equal(await store().readCheckpointState(3), { logPosition: 5 });
  // The position never moves backwards.
  await store().writeCheckpoint(lease, { logPosition: 2 }, []);
  assert.is((await store().readCheckpointState(3)).logPosition, 5);
});

test("an update of the same key twice in one checkpoint or commit keeps the last", async () => {
  const lease = await waitForLease(3, "host-a");
  await store().writeCheckpoint(lease, { logPosition: 7 }, [{ key: "twice", value: 1 }, { key: "twice", value: 2 }]);
  assert.is(await store().readObject(3, "twice"), 2);
  const { last } = await store().readHead(3);
  await store().appendCommit(lease, commit(lease, last + 1, { statusUpdates: [status("dup-s", { updatedAt: 1 }), status("dup-s", { status: "Completed", updatedAt: 2 })] }));
  assert.is((await store().readStatus("dup-s"))!.status, "Completed");
});

test("an object too large for one transaction is refused naming the limit", async () => {
  const lease = await waitForLease(3, "host-a");
  try {
    await store().writeCheckpoint(lease, { logPosition: 6 }, [{ key: "huge", value: "h".repeat(5 * 1024 * 1024) }]);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, RangeError);
    assert.match((error as Error).message, /one DynamoDB transaction can hold/);
  }
});

test("throttled reads and unprocessed trims are retried", async () => {
  const fail = failFirst(backend.clients.dynamodb, "QueryCommand", 2, () =>
    new ProvisionedThroughputExceededException({ message: "injected", $metadata: {} }));
  try {
    assert.ok((await store().readCommits(0, 0)).length > 0);
  } finally {
    fail.remove();
  }
  assert.is(fail.failed(), 2);
  // BatchWriteItem answering with UnprocessedItems: the middleware keeps half the deletes back once.
  let held = false;
  backend.clients.dynamodb.middlewareStack.add((next: any, context: any) => async (args: any) => {
    if (context.commandName !== "BatchWriteItemCommand" || held) return next(args);
    held = true;
    const table = Object.keys(args.input.RequestItems)[0];
    const all = args.input.RequestItems[table];
    const half = Math.ceil(all.length / 2);
    const out = await next({ ...args, input: { RequestItems: { [table]: all.slice(0, half) } } });
    out.output.UnprocessedItems = { [table]: all.slice(half) };
    return out;
  }, { step: "serialize", name: "nwcUnprocessed", priority: "high" });
  try {
    const lease = (await store().acquireLease(0, "host-a", 60_000))!;
    const { last } = await store().readHead(0);
    await store().trimCommits(0, last);
    assert.equal(await store().readCommits(0, 0), []);
    assert.ok(held);
    await store().appendCommit(lease, commit(lease, last + 1));
    assert.equal((await store().readCommits(0, 0)).map((r) => r.position), [last + 1]);
  } finally {
    backend.clients.dynamodb.middlewareStack.remove("nwcUnprocessed");
  }
});

test("bad arguments get clear errors", async () => {
  for (const [run, pattern] of [
    [() => store().readCommits(PARTITIONS, 0), /no partition 4/],
    [() => store().acquireLease(0, "", 1000), /owner/],
    [() => store().readObject(0, ""), /non-empty/],
    [() => store().readCommits(0, -1), /after must be/],
  ] as const) {
    try {
      await run();
      assert.unreachable();
    } catch (error) {
      assert.match((error as Error).message, pattern);
    }
  }
});

test.run();
