/**
 * client.purge(id): a finished instance's record and status row go, through a
 * committed message to its partition; a Pending or Running one is refused. On
 * the local backend the purge survives a checkpoint and a restart.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { BackendSpec } from "../../runtime/backends/index.ts";
import { createMemoryBackend } from "../../runtime/backends/memory/index.ts";
import { partitionOfInstance } from "../../runtime/partitions/hash.ts";
import { startHost, type Host } from "../../runtime/host.ts";
import { connect } from "../../runtime/client.ts";
import { readCommittedObject } from "../../runtime/inspect.ts";
import { instanceKey } from "../../runtime/partitions/state/instance.ts";
import * as A from "./machines/apps.ts";

const PARTITIONS = 2;

async function gone(host: Host, id: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if ((await host.client.status(id)) === undefined) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.unreachable(`instance ${id} was not purged within 5 s`);
}

async function refusal(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a refusal");
}

for (const kind of ["memory", "local"] as const) {
  test(`${kind}: purge removes a completed instance's status row and record; list no longer shows it`, async () => {
    const dir = await mkdtemp(join(tmpdir(), "nwc-purge-"));
    const spec: BackendSpec = kind === "memory" ? "memory" : { kind: "local", dir };
    const host = await startHost({ app: A.app, backend: spec, partitions: PARTITIONS, log: () => undefined });
    try {
      const done = await host.client.start(A.eventWaiter, [], { instanceId: "done-1" });
      const kept = await host.client.start(A.eventWaiter, [], { instanceId: "kept-1" });
      await host.client.wait(done, { timeoutMs: 10_000 });
      await host.client.wait(kept, { timeoutMs: 10_000 });
      await host.client.purge(done);
      await gone(host, done);
      const listed = (await host.client.list()).map((s) => s.instanceId);
      assert.equal(listed, ["kept-1"]);
      const partition = partitionOfInstance(done, PARTITIONS);
      assert.is(await readCommittedObject(host.backend.store, partition, instanceKey(done)), undefined);
      // The id is free again: a new start makes a new instance.
      await host.client.start(A.eventWaiter, ["x"], { instanceId: done });
      assert.is((await host.client.status(done))!.status, "Running");
    } finally {
      await host.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test(`${kind}: purge refuses a running instance and an unknown id, and changes nothing`, async () => {
    const host = await startHost({ app: A.app, backend: kind === "memory" ? "memory" : { kind: "local", dir: await mkdtemp(join(tmpdir(), "nwc-purge-")) }, partitions: PARTITIONS, log: () => undefined });
    try {
      const id = await host.client.start(A.eventWaiter, ["go"], { instanceId: "running-1" });
      const e = await refusal(host.client.purge(id));
      assert.is(e.name, "InstanceNotFinishedError");
      assert.match(e.message, /running-1 is Running; only Completed, Failed or Terminated/);
      const missing = await refusal(host.client.purge("nope"));
      assert.is(missing.name, "InstanceNotFoundError");
      await host.client.raise(id, "go", 1);
      assert.equal((await host.client.wait(id, { timeoutMs: 10_000 })).output, [1]);
    } finally {
      await host.stop();
    }
  });
}

test("the partition re-checks: a purge that reaches a running instance is dropped (the client looked earlier)", async () => {
  const host = await startHost({ app: A.app, backend: "memory", partitions: 1, log: () => undefined });
  try {
    const id = await host.client.start(A.eventWaiter, ["go"], { instanceId: "raced" });
    // Straight to the channel, as a client that saw it finished a moment ago would have sent it.
    await (host.client as any).sender.send(0, { kind: "purgeInstance", instanceId: id });
    await host.client.raise(id, "go", 7);
    const s = await host.client.wait(id, { timeoutMs: 10_000 });
    assert.equal(s.output, [7]);
  } finally {
    await host.stop();
  }
});

test("local: a purge checkpointed after the row was checkpointed stays purged after a restart, for a host and for connect()", async () => {
  const dir = await mkdtemp(join(tmpdir(), "nwc-purge-restart-"));
  const spec: BackendSpec = { kind: "local", dir };
  try {
    let host = await startHost({ app: A.app, backend: spec, partitions: PARTITIONS, log: () => undefined });
    const a = await host.client.start(A.eventWaiter, [], { instanceId: "a" });
    const b = await host.client.start(A.eventWaiter, [], { instanceId: "b" });
    await host.client.wait(a, { timeoutMs: 10_000 });
    await host.client.wait(b, { timeoutMs: 10_000 });
    for (const p of host.partitions) await p!.checkpointNow();
    await host.client.purge(a);
    await gone(host, a);
    // b's purge stays in the commit log only (no checkpoint after it): recovery replays it.
    for (const p of host.partitions) await p!.checkpointNow();
    await host.client.purge(b);
    await gone(host, b);
    await host.stop();

    const client = await connect({ backend: spec, partitions: PARTITIONS });
    assert.equal(await client.list(), []);
    await client.close();
    host = await startHost({ app: A.app, backend: spec, partitions: PARTITIONS, log: () => undefined });
    assert.is(await host.client.status(a), undefined);
    assert.is(await host.client.status(b), undefined);
    assert.equal(await host.client.list(), []);
    await host.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// Without mergeStatusDeletes (partition.ts) the merged record holds both the delete and the new row, and the store drops the row: this fails.
test("a purge and a new start of the same id merged into one commit (pipelined batches): the new instance's row stays", async () => {
  const backend = createMemoryBackend({ partitions: 1 });
  const host = await startHost({ app: A.app, backend, partitions: 1, log: () => undefined });
  try {
    await host.client.wait(await host.client.start(A.eventWaiter, [], { instanceId: "m" }), { timeoutMs: 10_000 });
    // Slow appends: the batches behind one in flight join a single open commit record.
    (backend.store as unknown as { commitLatencyMs: number }).commitLatencyMs = 100;
    // A batch whose append is in flight, then the purge (opens the next record), then the start (joins it).
    await host.client.signal("Counter", "k", "add", 1);
    await new Promise((r) => setTimeout(r, 20));
    await host.client.purge("m");
    await new Promise((r) => setTimeout(r, 20));
    // The old row is still visible, so start returns at once; the partition applies purge, then start.
    await host.client.start(A.eventWaiter, ["again"], { instanceId: "m" });
    for (let i = 0; i < 300 && (await host.client.status("m"))?.status !== "Running"; i++) await new Promise((r) => setTimeout(r, 10));
    assert.is((await host.client.status("m"))?.status, "Running");
    await new Promise((r) => setTimeout(r, 300));
    assert.is((await host.client.status("m"))?.status, "Running");
  } finally {
    await host.stop();
    await backend.close();
  }
});

test("memory with seeded faults (crashes before and after commits, drops, duplicates): each purge applies exactly once", async () => {
  let crashes = 0;
  for (const seed of [1, 2, 3, 4]) {
    const faults = { seed, dropRate: 0.05, duplicateRate: 0.1, failSendRate: 0.03, crashBeforeCommitRate: 0.05, crashAfterCommitRate: 0.05, maxCrashes: 6 };
    const backend = createMemoryBackend({ partitions: PARTITIONS, faults });
    const host = await startHost({ app: A.app, backend, partitions: PARTITIONS, log: () => undefined, partitionOptions: { resendAfterMs: 40, checkpointEveryCommits: 3 } });
    try {
      const all = ["p0", "p1", "p2", "k0", "k1", "k2"];
      for (const id of all) await host.client.start(A.eventWaiter, [], { instanceId: id });
      for (const id of all) await host.client.wait(id, { timeoutMs: 20_000 });
      for (const id of ["p0", "p1", "p2"]) await host.client.purge(id);
      for (const id of ["p0", "p1", "p2"]) await gone(host, id);
      // p0 again, right after: a duplicate or re-sent purge must not reach the new instance.
      await host.client.start(A.eventWaiter, ["x"], { instanceId: "p0" });
      await new Promise((r) => setTimeout(r, 300));
      assert.is((await host.client.status("p0"))!.status, "Running", `seed ${seed}`);
      assert.equal((await host.client.list({ status: "Completed" })).map((x) => x.instanceId).sort(), ["k0", "k1", "k2"], `seed ${seed}`);
      crashes += backend.faults!.counts.crashesBefore + backend.faults!.counts.crashesAfter;
    } finally {
      await host.stop();
      await backend.close();
    }
  }
  assert.ok(crashes > 0, "the seeds crash some commits");
});

test.run();
