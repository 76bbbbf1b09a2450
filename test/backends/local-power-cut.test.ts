// A commit record's fsync runs beside that of the channel records it consumed,
// and the record is acknowledged only once both are done; so a power cut can
// leave on disk a last commit whose input the channel lost. (A SIGKILL cannot:
// the kernel keeps every written page.) These tests build that state on disk,
// as a power cut leaves it, and check what taking the partition again does:
// the last commit is dropped when its input is gone, kept when it is there, and
// a channel cut below the end lease.json records is damage, never a cut.
import { spawn } from "node:child_process";
import { readdirSync, statSync, truncateSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { StoreCorrupted } from "../../runtime/backends/errors.ts";
import { createLocalBackend } from "../../runtime/backends/local/index.ts";
import type { CommitRecord, InstanceStatusRecord, Lease } from "../../runtime/backends/types.ts";
import { startHost } from "../../runtime/host.ts";
import { countedHello3, tempDirs } from "./local-fixtures.ts";
import { fingerprint } from "./corruption-fixture.ts";

const tempDir = tempDirs("power-cut");
const CHILD = new URL("./power-cut-child.ts", import.meta.url).pathname;

const running = (id: string, at: number): InstanceStatusRecord => ({ instanceId: id, name: "o", status: "Running", input: null, output: null, error: null, customStatus: null, createdAt: at, updatedAt: at });

function commit(lease: Lease, position: number, inputPosition: string): CommitRecord {
  return { position, epoch: lease.epoch, updates: [{ key: `i/${position}`, value: { n: position } }], statusUpdates: [running(`id${position}`, position)], inputPosition };
}

const channelSegment = (dir: string) => join(dir, "channels", "p0", "000000000000.log");
const logBytes = (dir: string) => {
  const pdir = join(dir, "partitions", "p0");
  return readdirSync(pdir).filter((n) => n.endsWith(".seg")).reduce((sum, n) => sum + statSync(join(pdir, n)).size, 0);
};
const offsetOf = (position: string) => Number(position.split(":").pop());

/** Two sends and two commits, each consuming one; returns the records' positions and the log's size after commit 1. */
async function twoCommits(dir: string) {
  const b = await createLocalBackend({ dir }, 1);
  const lease = (await b.store.acquireLease(0, "h", 60_000))!;
  await b.channels.send([{ from: "c:1", to: 0, seq: 1, body: { n: 1 } }]);
  const [first] = await b.channels.read(0, undefined, { maxRecords: 1 });
  await b.store.appendCommit(lease, commit(lease, 1, first!.position));
  const logAfterFirst = logBytes(dir);
  await b.channels.send([{ from: "c:1", to: 0, seq: 2, body: { n: 2 } }]);
  const [second] = await b.channels.read(0, first!.position, { maxRecords: 1 });
  await b.store.appendCommit(lease, commit(lease, 2, second!.position), b.channels.durable(0, second!.position));
  return { b, lease, first: first!.position, second: second!.position, logAfterFirst };
}

test("power cut: the last commit's input was lost with the channel's unsynced tail: the commit is dropped, the log goes on from it", async () => {
  const dir = tempDir();
  const { b, first, logAfterFirst } = await twoCommits(dir);
  await b.close(); // as after the cut: lease.json records no end of the log
  truncateSync(channelSegment(dir), offsetOf(first)); // the second send's bytes never reached the disk

  const again = await createLocalBackend({ dir }, 1);
  const lease = (await again.store.acquireLease(0, "h", 60_000))!;
  assert.equal((await again.store.readCommits(0, 0)).map((c) => c.position), [1], "commit 2 is dropped");
  assert.is(logBytes(dir), logAfterFirst, "and cut from the file");
  assert.is(await again.store.readStatus("id2"), undefined, "its status row went with it");
  assert.ok(await again.store.readStatus("id1"));
  // The client re-sends; the channel and the log go on where they are now.
  await again.channels.send([{ from: "c:1", to: 0, seq: 2, body: { n: 2 } }]);
  const [resent] = await again.channels.read(0, first, { maxRecords: 1 });
  await again.store.appendCommit(lease, commit(lease, 2, resent!.position));
  await again.close();

  const reopened = await createLocalBackend({ dir }, 1);
  assert.ok(await reopened.store.acquireLease(0, "h", 60_000));
  assert.equal((await reopened.store.readCommits(0, 0)).map((c) => [c.position, c.inputPosition]), [[1, first], [2, resent!.position]]);
  await reopened.close();
});

test("a crash that lost nothing written (SIGKILL): the last commit's input is in the channel, the commit stays", async () => {
  const dir = tempDir();
  const { b, second } = await twoCommits(dir);
  await b.close();
  const again = await createLocalBackend({ dir }, 1);
  assert.ok(await again.store.acquireLease(0, "h", 60_000));
  assert.equal((await again.store.readCommits(0, 0)).map((c) => [c.position, c.inputPosition]).at(-1), [2, second]);
  await again.close();
});

test("a channel cut below the end lease.json records is damage, named, and the log is left as it is", async () => {
  const dir = tempDir();
  const { b, lease, first } = await twoCommits(dir);
  await b.store.renewLease(lease, 60_000); // records the log's end (2) and the channel's, made durable
  await b.close();
  truncateSync(channelSegment(dir), offsetOf(first));
  const again = await createLocalBackend({ dir }, 1);
  try {
    await again.store.acquireLease(0, "h", 60_000);
    assert.unreachable("taking the partition must fail");
  } catch (error) {
    assert.instance(error, StoreCorrupted);
    assert.match((error as Error).message, /000000000000\.log/);
  }
  assert.ok(logBytes(dir) > 0, "the log is left as it is");
  await again.close();
});

/** Three sends on 1-byte segments (each send after the first seals the head), two commits, a lease renewal: the last commit's input lies in a sealed segment. */
async function lastInputInSealedSegment(dir: string): Promise<{ path: string; end: number }> {
  const b = await createLocalBackend({ dir, segmentBytes: 1 }, 1);
  const lease = (await b.store.acquireLease(0, "h", 60_000))!;
  await b.channels.send([{ from: "c:1", to: 0, seq: 1, body: { n: 1 } }]);
  const [first] = await b.channels.read(0, undefined, { maxRecords: 1 });
  await b.store.appendCommit(lease, commit(lease, 1, first!.position));
  await b.channels.send([{ from: "c:1", to: 0, seq: 2, body: { n: 2 } }]);
  const [second] = await b.channels.read(0, first!.position, { maxRecords: 1 });
  await b.store.appendCommit(lease, commit(lease, 2, second!.position), b.channels.durable(0, second!.position));
  await b.channels.send([{ from: "c:1", to: 0, seq: 3, body: { n: 3 } }]); // the second's segment is sealed now
  await b.store.renewLease(lease, 60_000); // records the channel's end, in the newest segment
  await b.close();
  const [segment] = second!.position.split(":");
  const newest = readdirSync(join(dir, "channels", "p0")).sort().pop()!;
  assert.ok(Number(segment) < Number(newest.slice(0, 12)), "the input lies in a sealed segment");
  return { path: join(dir, "channels", "p0", `${segment!.padStart(12, "0")}.log`), end: offsetOf(second!.position) };
}

for (const [what, damage, message] of [
  ["cut below", (path: string, end: number) => truncateSync(path, end - 1), /below the end lease\.json records: the file was cut/],
  ["deleted under", (path: string) => unlinkSync(path), /missing, but a record the commit log consumed/],
] as const) {
  test(`a sealed channel segment ${what} the last commit's input, under the end lease.json records: damage, named, nothing changed`, async () => {
    const dir = tempDir();
    const { path, end } = await lastInputInSealedSegment(dir);
    damage(path, end);
    const before = fingerprint(dir);
    const again = await createLocalBackend({ dir, segmentBytes: 1 }, 1);
    try {
      await again.store.acquireLease(0, "h", 60_000);
      assert.unreachable("taking the partition must fail");
    } catch (error) {
      assert.instance(error, StoreCorrupted);
      assert.is((error as StoreCorrupted).file, path);
      assert.match((error as Error).message, message);
    }
    await again.close();
    assert.equal(fingerprint(dir), before, "nothing changed or deleted: commit 2 is still in the log");
  });
}

test("end to end: a host killed in a power cut after writing a commit whose start was still in its fsync: the start, sent again, runs once", async () => {
  const dir = tempDir();
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", CHILD, dir], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(out.trim());
    });
    child.on("exit", (code) => reject(new Error(`the child exited (${code}) before writing the commit`)));
  });
  const channelBefore = Number(/^written (\d+)$/.exec(line)?.[1]);
  assert.ok(channelBefore > 0, line);
  child.kill("SIGKILL");
  await new Promise((r) => child.once("exit", r));
  const log = logBytes(dir);
  truncateSync(channelSegment(dir), channelBefore); // the power cut: the start's bytes, never fsync'd, are gone

  const { greet, hello3, runs } = countedHello3();
  const host = await startHost({ app: [greet, hello3], backend: { kind: "local", dir }, partitions: 1, log: () => undefined });
  try {
    assert.ok(logBytes(dir) < log, "the commit that consumed the lost start is cut from the log");
    assert.is(await host.client.status("cut-start"), undefined, "so the instance does not exist");
    assert.is((await host.client.status("before"))?.status, "Completed", "what was acknowledged before is all there");
    const s = await host.client.wait(await host.client.start(hello3, null, { instanceId: "cut-start" }), { timeoutMs: 10_000 });
    assert.equal(s.output, ["Hello Tokyo!", "Hello Seattle!", "Hello London!"]);
    assert.is(runs(), 3, "each activity ran once in this host");
  } finally {
    await host.stop();
  }
});

test.run();
