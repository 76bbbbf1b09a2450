// A host on the aws backend under injected faults, end to end: PutRecords that
// reject some records, throttled and conflicting transactions, commits whose
// answer is lost after they happened, throttled reads, and partition crashes
// (recovery from DynamoDB, re-sent outbox). Every orchestration must complete
// with the right result, every activity with a counter must run exactly once
// per instance, and entity updates must apply exactly once.
// Then two hosts: the first freezes with a commit in flight, the second takes
// its leases over, and the first's commit, arriving late, is refused.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ProvisionedThroughputExceededException } from "@aws-sdk/client-kinesis";
import { ThrottlingException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { startAwsEmulators, type AwsEmulators } from "../../runtime/testing.ts";
import { createAwsBackend, type AwsBackend } from "../../runtime/backends/aws/index.ts";
import { startHost, type Host } from "../../runtime/host.ts";
import { app, counter, counters, countedOnce, parent } from "../runtime/machines/apps.ts";
import { partialPutRecords } from "./inject.ts";

const PARTITIONS = 4;
let emu: AwsEmulators;
let backend: AwsBackend;
let host: Host;

/** Seeded, so a failing run replays the same fault pattern. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 0x100000000;
  };
}
const random = rng(Number(process.env.NWC_FAULT_SEED ?? 7));
const injected = new Map<string, number>();
let transactCalls = 0;
const note = (k: string) => injected.set(k, (injected.get(k) ?? 0) + 1);

test.before(async () => {
  emu = await startAwsEmulators({ partitions: PARTITIONS });
  backend = await createAwsBackend(emu.backend, PARTITIONS);
  // 20% of PutRecords calls reject a third of their records.
  partialPutRecords(backend.clients.kinesis, (i, call) => {
    const reject = (call * 7 + i) % 3 === 0 && (call % 5 === 1);
    if (reject) note("PutRecords partial");
    return reject;
  });
  backend.clients.kinesis.middlewareStack.add((next: any, context: any) => async (args: any) => {
    if (context.commandName === "GetRecordsCommand" && random() < 0.05) {
      note("GetRecords throttled");
      throw new ProvisionedThroughputExceededException({ message: "injected", $metadata: {} });
    }
    return next(args);
  }, { step: "initialize", name: "faultsKinesis" });
  backend.clients.dynamodb.middlewareStack.add((next: any, context: any) => async (args: any) => {
    if (context.commandName === "TransactWriteItemsCommand") {
      // By call number, not by chance: each kind is injected at a fixed 5% of commits, so
      // however few commits group commit leaves, every kind happens from the 13th commit on.
      const n = transactCalls++ % 20;
      if (n === 2) {
        note("TransactWriteItems throttled");
        throw new ThrottlingException({ message: "injected", $metadata: {} });
      }
      if (n === 7) {
        note("TransactWriteItems conflict");
        throw new TransactionCanceledException({ message: "injected", $metadata: {}, CancellationReasons: [{ Code: "TransactionConflict" }] });
      }
      if (n === 12) {
        const out = await next(args); // it happened; the answer is lost
        note("TransactWriteItems answer lost");
        void out;
        throw Object.assign(new Error("socket hang up (injected)"), { code: "ECONNRESET" });
      }
    }
    return next(args);
  }, { step: "initialize", name: "faultsDynamo" });
  host = await startHost({ app, backend, partitions: PARTITIONS, log: () => undefined });
});
test.after(async () => {
  await host?.stop();
  await backend?.close();
  await emu?.stop();
});

test("orchestrations, sub-orchestrations and entity signals complete exactly once under faults and crashes", async () => {
  const names = Array.from({ length: 24 }, (_, i) => `f${i}`);
  const started = [
    ...names.map((n) => host.client.start(countedOnce, n, { instanceId: `counted-${n}` })),
    ...Array.from({ length: 8 }, (_, i) => host.client.start(parent, i, { instanceId: `parent-${i}` })),
  ];
  for (let i = 0; i < 20; i++) await host.client.signal(counter, `k${i % 4}`, "add", 1);
  // Crash two partitions while work is in flight: they recover from DynamoDB and re-send their outboxes.
  setTimeout(() => host.crashPartition(1), 150);
  setTimeout(() => host.crashPartition(3), 400);
  const ids = await Promise.all(started);
  for (const id of ids) {
    const s = await host.client.wait(id, { timeoutMs: 60_000 });
    assert.is(s.status, "Completed", `${id}: ${JSON.stringify(s.error)}`);
  }
  for (const n of names) {
    assert.is((await host.client.status(`counted-${n}`))!.output, `Hello ${n}!`);
    assert.is(counters.get(`countedGreet:${n}`), 1, `countedGreet ${n} ran once`);
  }
  for (let i = 0; i < 8; i++) assert.equal((await host.client.status(`parent-${i}`))!.output, [i * 2, (i + 1) * 2]);
  const deadline = Date.now() + 30_000;
  let total = 0;
  while (Date.now() < deadline) {
    total = 0;
    for (let k = 0; k < 4; k++) total += ((await host.client.readEntity(counter, `k${k}`)) as { value: number } | undefined)?.value ?? 0;
    if (total >= 20) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.is(total, 20, "every signal applied exactly once");
  for (const kind of ["PutRecords partial", "TransactWriteItems throttled", "TransactWriteItems answer lost"]) {
    assert.ok((injected.get(kind) ?? 0) > 0, `${kind} was injected`);
  }
  console.log("injected:", Object.fromEntries(injected));
});

test("a frozen host's leases are taken over by a second host; its late commit is refused, nothing applies twice", async () => {
  const spec = { ...emu.streamFor("takeover"), tablePrefix: "takeover-" };
  const LEASE_MS = 1500;
  const partitionOptions = { leaseMs: LEASE_MS };
  const a = await createAwsBackend(spec, 2);
  const b = await createAwsBackend(spec, 2);
  // Host A's DynamoDB requests wait at this gate while it is closed: a host frozen by a long GC
  // pause or cut off by the network, whose requests are already on their way.
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  const held: string[] = [];
  const lateCommits: { error?: unknown }[] = [];
  a.clients.dynamodb.middlewareStack.add((next: any, context: any) => async (args: any) => {
    if (!gate) return next(args);
    held.push(context.commandName);
    await gate;
    if (context.commandName !== "TransactWriteItemsCommand") return next(args);
    const late: { error?: unknown } = {};
    lateCommits.push(late);
    try {
      return await next(args);
    } catch (error) {
      late.error = error;
      throw error;
    }
  }, { step: "initialize", name: "freeze" });
  const logA: string[] = [];
  const hostA = await startHost({ app, backend: a, partitions: 2, hostId: "host-a", partitionOptions, log: (_l, m) => void logA.push(m) });
  let hostB: Host | undefined;
  try {
    await hostA.client.signal(counter, "t", "add", 1);
    const first = await hostA.client.wait(await hostA.client.start(parent, 1, { instanceId: "takeover-1" }), { timeoutMs: 30_000 });
    assert.is(first.status, "Completed");
    await eventually(async () => ((await hostA.client.readEntity(counter, "t")) as { value: number } | undefined)?.value === 1);

    gate = new Promise<void>((r) => (release = r));
    await hostA.client.signal(counter, "t", "add", 10);
    await eventually(async () => held.includes("TransactWriteItemsCommand"));

    // Host B gets both leases once A's expire (A cannot renew: its renewals are held too).
    const takeoverStarted = Date.now();
    hostB = await startHost({ app, backend: b, partitions: 2, hostId: "host-b", partitionOptions, log: () => undefined });
    assert.ok(Date.now() - takeoverStarted < 10 * LEASE_MS, "the takeover waited about one lease duration");
    for (let p = 0; p < 2; p++) {
      const lease = await b.store.readLease(p);
      assert.is(lease!.owner, "host-b");
      assert.ok(lease!.epoch >= 2, `partition ${p} lease epoch moved on`);
    }
    await eventually(async () => ((await hostB!.client.readEntity(counter, "t")) as { value: number } | undefined)?.value === 11);

    // A thaws: its held commit reaches DynamoDB now and is refused by the lease-epoch condition.
    release!();
    gate = undefined;
    await eventually(async () => lateCommits.length > 0 && lateCommits.every((c) => c.error !== undefined));
    for (const c of lateCommits) {
      const e = c.error as { name?: string; CancellationReasons?: { Code?: string }[] };
      assert.is(e.name, "TransactionCanceledException");
      assert.is(e.CancellationReasons?.[0]?.Code, "ConditionalCheckFailed", "the lease check (action 0) refused it");
    }
    await eventually(async () => hostA.partitions.every((p) => p === undefined || p.isStopped));
    assert.ok(logA.some((m) => /fenced off/.test(m)), `host A logged the fencing: ${logA.join(" | ")}`);

    // Work continues on B; the signal A processed but could not commit applied exactly once.
    const second = await hostB.client.wait(await hostB.client.start(parent, 2, { instanceId: "takeover-2" }), { timeoutMs: 30_000 });
    assert.equal(second.output, [4, 6]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await hostB.client.readEntity(counter, "t"), { value: 11 });
  } finally {
    release?.();
    gate = undefined;
    await hostA.stop();
    await hostB?.stop();
    await a.close();
    await b.close();
  }
});

async function eventually(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test.run();
