/**
 * The partition core's mechanisms on the memory backend: fencing, the
 * instance cache (eviction and load on demand), checkpoints and log trimming,
 * recovery after crashes, at-least-once activities.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { activity } from "../../runtime/api.ts";
import { createMemoryBackend, SimulatedCrash } from "../../runtime/backends/memory/index.ts";
import { startHost } from "../../runtime/host.ts";
import * as A from "./machines/apps.ts";
import { genOrchestration } from "./machines/generator-machine.ts";
import { versionedV1, versionedV2 } from "./machines/versioned.ts";

const quiet = () => undefined;

test("a stale owner's commit is refused (FencedError) and its partition stops", async () => {
  const backend = createMemoryBackend({ partitions: 1 });
  const logs: string[] = [];
  const host = await startHost({ app: A.app, backend, partitions: 1, log: (_l, m) => logs.push(m), partitionOptions: { leaseMs: 60_000 } });
  const partition = host.partitions[0]!;
  const id = await host.client.start(A.eventWaiter, ["go"]);
  backend.store.stealLease(0, "other-host");
  await backend.channels.send([{ from: "c:test", to: 0, seq: 1, body: { kind: "raiseEvent", instanceId: id, name: "go", data: 1 } }]);
  const reason = await partition.done;
  assert.is(reason.kind, "fenced");
  assert.is((reason as { error: Error }).error.name, "FencedError");
  assert.ok(logs.some((m) => /fenced off by epoch/.test(m)));
  assert.is((await host.client.status(id))!.status, "Running");
  await host.stop();
});

test("more instances than the cache holds still run: clean objects are evicted and loaded on demand", async () => {
  const backend = createMemoryBackend({ partitions: 2 });
  const host = await startHost({ app: A.app, backend, partitions: 2, log: quiet, partitionOptions: { cacheSize: 3, checkpointEveryCommits: 1 } });
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) ids.push(await host.client.start(A.eventWaiter, ["go"], { instanceId: `cache-${i}` }));
  await new Promise((r) => setTimeout(r, 50));
  for (const p of host.partitions) await p!.checkpointNow();
  for (const p of host.partitions) assert.ok(p!.cachedObjects <= 3 + 1, `partition ${p!.index} caches ${p!.cachedObjects}`);
  const loadsBefore = host.partitions.reduce((n, p) => n + p!.cacheLoads, 0);
  for (const id of ids) await host.client.raise(id, "go", id);
  for (const id of ids) assert.equal((await host.client.wait(id, { timeoutMs: 10_000 })).output, [id]);
  const loadsAfter = host.partitions.reduce((n, p) => n + p!.cacheLoads, 0);
  assert.ok(loadsAfter - loadsBefore >= 20, `only ${loadsAfter - loadsBefore} instances were loaded on demand`);
  await host.stop();
});

test("checkpoints trim the log; recovery replays only what follows the checkpoint", async () => {
  const backend = createMemoryBackend({ partitions: 1 });
  const opts = { checkpointEveryCommits: 10, checkpointIntervalMs: 3_600_000 };
  let host = await startHost({ app: A.app, backend, partitions: 1, log: quiet, partitionOptions: opts });
  for (let i = 0; i < 20; i++) await host.client.wait(await host.client.start(A.helloSequence, [`c${i}`]), { timeoutMs: 10_000 });
  const p = host.partitions[0]!;
  assert.ok(p.stats.checkpoints >= 3, `${p.stats.checkpoints} checkpoints`);
  assert.ok(backend.store.logLength(0) <= 10, `log holds ${backend.store.logLength(0)} records after trimming`);
  const pending = await host.client.start(A.eventWaiter, ["go"]);
  await host.stop();
  host = await startHost({ app: A.app, backend, partitions: 1, log: quiet, partitionOptions: opts });
  assert.ok(host.partitions[0]!.stats.commitsReplayed <= 10);
  await host.client.raise(pending, "go", "again");
  assert.equal((await host.client.wait(pending, { timeoutMs: 10_000 })).output, ["again"]);
  await host.stop();
});

test("a partition crash mid-activity re-runs the activity (at-least-once) and the instance completes once", async () => {
  let runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow = activity("slowOnce", async (x: number) => {
    runs++;
    if (runs === 1) await gate;
    return x + 1;
  });
  const orch = genOrchestration("slowOrch", function* (ctx, x: number) {
    return yield ctx.call(slow, x);
  });
  const backend = createMemoryBackend({ partitions: 1 });
  const host = await startHost({ app: [slow, orch], backend, partitions: 1, log: quiet });
  const id = await host.client.start(orch, 41);
  while (runs === 0) await new Promise((r) => setTimeout(r, 5));
  host.crashPartition(0);
  const s = await host.client.wait(id, { timeoutMs: 10_000 });
  release();
  assert.is(s.output, 42);
  assert.is(runs, 2);
  await new Promise((r) => setTimeout(r, 50));
  assert.is((await host.client.status(id))!.output, 42);
  await host.stop();
});

test("repeated crashes between batches lose nothing", async () => {
  const backend = createMemoryBackend({ partitions: 2 });
  const host = await startHost({ app: A.app, backend, partitions: 2, log: quiet, partitionOptions: { checkpointEveryCommits: 3 } });
  const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => host.client.start(A.fanOut, 5, { instanceId: `crash-${i}` })));
  for (let k = 0; k < 5; k++) {
    await new Promise((r) => setTimeout(r, 3));
    host.crashPartition(k % 2);
  }
  for (const id of ids) assert.is((await host.client.wait(id, { timeoutMs: 10_000 })).output, 20);
  await host.stop();
});

test("an instance started for an orchestration its host lacks stays Pending with a clear error, and a host that has it begins it on a repeated start", async () => {
  const backend = createMemoryBackend({ partitions: 1 });
  let host = await startHost({ app: [A.greet], backend, partitions: 1, log: quiet });
  await host.client.start("helloSequence", ["x"], { instanceId: "later" }).catch(() => undefined);
  const { connect } = await import("../../runtime/client.ts");
  const client = await connect({ backend, partitions: 1 });
  assert.is(await client.start(A.helloSequence, ["x"], { instanceId: "later" }), "later");
  const pending = (await client.status("later"))!;
  assert.is(pending.status, "Pending");
  assert.is(pending.error!.name, "UnknownOrchestration");
  assert.match(pending.error!.message, /no orchestration named "helloSequence" is registered on this host/);
  await host.stop();
  host = await startHost({ app: A.app, backend, partitions: 1, log: quiet });
  await host.client.start(A.helloSequence, ["ignored"], { instanceId: "later" });
  const s = await host.client.wait("later", { timeoutMs: 10_000 });
  assert.equal(s.output, ["Hello x!"]);
  await host.stop();
});

test("with slow commits, batches pipeline, and no message leaves a partition before the commit that produced it", async () => {
  const backend = createMemoryBackend({ partitions: 3 });
  backend.store.commitLatencyMs = 15;
  const committed = new Set<string>();
  const append = backend.store.appendCommit.bind(backend.store);
  backend.store.appendCommit = async (lease, record) => {
    await append(lease, record);
    for (const u of record.updates) {
      // out:<to>:<seq>, one object per unconfirmed message.
      if (!u.key.startsWith("out:") || u.value === null) continue;
      const [, to, seq] = u.key.split(":");
      committed.add(`p${lease.partition}>${to}#${seq}`);
    }
  };
  const violations: string[] = [];
  let partitionSends = 0;
  const send = backend.channels.send.bind(backend.channels);
  backend.channels.send = async (envelopes) => {
    for (const e of envelopes) {
      if (!e.from.startsWith("p") || e.seq === 0) continue;
      partitionSends++;
      if (!committed.has(`${e.from}>${e.to}#${e.seq}`)) violations.push(`${e.from}>${e.to}#${e.seq}`);
    }
    return send(envelopes);
  };
  const host = await startHost({ app: A.app, backend, partitions: 3, log: quiet });
  const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => host.client.start(A.parent, i, { instanceId: `pipe-${i}` })));
  for (const [i, id] of ids.entries()) assert.equal((await host.client.wait(id, { timeoutMs: 20_000 })).output, [2 * i, 2 * (i + 1)]);
  assert.ok(partitionSends > 20, `only ${partitionSends} partition messages`);
  assert.equal(violations, []);
  const batches = host.partitions.reduce((n, p) => n + p!.stats.batches, 0);
  const commits = host.partitions.reduce((n, p) => n + p!.stats.commits, 0);
  assert.ok(commits < batches, `batches that finished while an append was in flight joined the next record (${batches} batches, ${commits} appends)`);
  await host.stop();
});

test("an instance whose wakes were left for the next batch resumes after recovery from a checkpoint holding them", async () => {
  // Events a and b arrive in one batch: a wakes the instance, b is buffered; the step waits for b, finds it
  // buffered, and leaves that wake for the next batch (a durable run marker). The checkpoint holding the
  // marker is written, then the partition crashes before the next batch commits.
  const backend = createMemoryBackend({ partitions: 1 });
  let crashed = 0;
  const writeCheckpoint = backend.store.writeCheckpoint.bind(backend.store);
  backend.store.writeCheckpoint = async (lease, state, updates) => {
    await writeCheckpoint(lease, state, updates);
    if (crashed === 0 && updates.some((u) => u.key.startsWith("run:") && u.value !== null)) {
      crashed++;
      throw new SimulatedCrash("after the checkpoint holding a run marker");
    }
  };
  const host = await startHost({ app: A.app, backend, partitions: 1, log: quiet, partitionOptions: { checkpointEveryCommits: 1 } });
  const id = await host.client.start(A.eventWaiter, ["a", "b"], { instanceId: "marker" });
  await until(async () => (await host.client.status(id))?.customStatus === "waiting");
  const raise = (seq: number, name: string) => ({ from: "c:marker-test", to: 0, seq, body: { kind: "raiseEvent", instanceId: id, name, data: { $nwc: "undefined" } } });
  await backend.channels.send([raise(1, "a"), raise(2, "b")]);
  const s = await host.client.wait(id, { timeoutMs: 10_000 });
  assert.is(crashed, 1, "the checkpoint with the run marker was written and the partition crashed after it");
  assert.is(s.status, "Completed");
  assert.equal(s.output, [undefined, undefined]);
  assert.ok(host.partitions[0]!.stats.commitsReplayed === 0, "recovered from the checkpoint alone");
  await host.stop();
});

test("a host that has the machine resumes Pending and suspended instances at start-up, with no message reaching them", async () => {
  const backend = createMemoryBackend({ partitions: 2 });
  const { connect } = await import("../../runtime/client.ts");
  let host = await startHost({ app: [versionedV1], backend, partitions: 2, log: quiet });
  const suspendedId = await host.client.start(versionedV1, null, { instanceId: "old-version" });
  await host.stop();
  host = await startHost({ app: [versionedV2, A.greet], backend, partitions: 2, log: quiet });
  await host.client.raise(suspendedId, "go", 1);
  const client = await connect({ backend, partitions: 2 });
  await client.start(A.helloSequence, ["y"], { instanceId: "pending" });
  await until(async () => (await client.status(suspendedId))?.error?.name === "MachineVersionMissing");
  assert.is((await client.status("pending"))!.status, "Pending");
  for (const p of host.partitions) await p!.checkpointNow();
  const markers = async () => (await Promise.all([0, 1].map((p) => backend.store.listObjectKeys(p, "susp:")))).flat().sort();
  assert.equal(await markers(), ["susp:old-version", "susp:pending"]);
  await host.stop();
  host = await startHost({ app: [...A.app, versionedV1, versionedV2], backend, partitions: 2, log: quiet });
  assert.equal((await host.client.wait("pending", { timeoutMs: 10_000 })).output, ["Hello y!"]);
  const s = await host.client.wait(suspendedId, { timeoutMs: 10_000 });
  assert.is(s.output, "v1:1");
  assert.is(s.error, undefined);
  for (const p of host.partitions) await p!.checkpointNow();
  assert.equal(await markers(), [], "the markers are gone once the instances run");
  await host.stop();
});

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

test.run();
