// The local backend's Channels and PartitionStore against real files: every
// method, torn and corrupt tails, atomic checkpoints, fencing within and
// across processes, concurrent senders from two processes, reopen recovery.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { crc32 as zlibCrc32 } from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { crc32, crc32Table } from "../../runtime/backends/local/crc32.ts";
import { writeAtomicFaults } from "../../runtime/backends/local/files.ts";
import { StoreCorrupted } from "../../runtime/backends/errors.ts";
import { decodeFrames } from "../../runtime/backends/local/framing.ts";
import { createLocalBackend } from "../../runtime/backends/local/index.ts";
import { MAX_DELTAS } from "../../runtime/backends/local/store.ts";
import { FencedError, type CommitRecord, type InstanceStatusRecord, type Lease } from "../../runtime/backends/types.ts";
import { tempDirs } from "./local-fixtures.ts";

const run = promisify(execFile);
const CHILD = new URL("./local-child.ts", import.meta.url).pathname;
const child = async (...args: string[]) =>
  (await run(process.execPath, ["--conditions=source", "--import", "tsx", CHILD, ...args.map(String)])).stdout.trim();

/** Asserts that `fn` rejects with an error matching `expected` (a pattern on the message, or a predicate). */
async function rejects(fn: () => Promise<unknown>, expected: RegExp | ((e: unknown) => boolean)): Promise<void> {
  try {
    await fn();
  } catch (error) {
    const ok = expected instanceof RegExp ? expected.test((error as Error).message) : expected(error);
    assert.ok(ok, `unexpected error: ${(error as Error).message}`);
    return;
  }
  assert.unreachable(`expected a rejection matching ${expected}`);
}

const tempDir = tempDirs("local");

function status(id: string, s: InstanceStatusRecord["status"], at: number): InstanceStatusRecord {
  return { instanceId: id, name: "hello", status: s, input: null, output: s === "Completed" ? `out-${id}` : null, error: null, customStatus: null, createdAt: 1000 + at, updatedAt: 2000 + at };
}
function commit(lease: Lease, position: number, extra: Partial<CommitRecord> = {}): CommitRecord {
  return { position, epoch: lease.epoch, updates: [{ key: `i/${position}`, value: { n: position } }], statusUpdates: [status(`id${position}`, "Running", position)], ...extra };
}
function segmentOf(dir: string): string {
  const pdir = join(dir, "partitions", "p0");
  const seg = readdirSync(pdir).filter((n) => n.endsWith(".seg")).sort().pop()!;
  return join(pdir, seg);
}

test("crc32 (native and the portable table) matches zlib's, on whole buffers and ranges", () => {
  for (const text of ["", "a", "hello world", "x".repeat(1000), "h\u00e9llo w\u00f6rld \u{1F600}"]) {
    const b = Buffer.from(text);
    assert.is(crc32(b), zlibCrc32(b), text.slice(0, 10));
    assert.is(crc32Table(b), zlibCrc32(b), text.slice(0, 10));
    const padded = Buffer.concat([Buffer.from("ab"), b, Buffer.from("cd")]);
    assert.is(crc32(padded, 2, 2 + b.length), zlibCrc32(b), `range ${text.slice(0, 10)}`);
    assert.is(crc32Table(padded, 2, 2 + b.length), zlibCrc32(b), `range ${text.slice(0, 10)}`);
  }
});

test("channels: send, read by position, maxRecords, waitMs wakes on a later send, bad input", async () => {
  const dir = tempDir();
  const b = await createLocalBackend({ dir }, 2);
  assert.equal(await b.channels.read(0, undefined, { maxRecords: 10 }), []);
  await b.channels.send([{ from: "c:1", to: 0, seq: 1, body: "a" }, { from: "c:1", to: 1, seq: 1, body: "b" }, { from: "c:1", to: 0, seq: 2, body: "c" }]);
  const r0 = await b.channels.read(0, undefined, { maxRecords: 10 });
  assert.equal(r0.map((r) => r.envelope.body), ["a", "c"]);
  assert.ok(b.channels.comparePositions(r0[0]!.position, r0[1]!.position) < 0);
  assert.equal((await b.channels.read(0, undefined, { maxRecords: 1 })).map((r) => r.envelope.body), ["a"]);
  assert.equal((await b.channels.read(0, r0[0]!.position, { maxRecords: 10 })).map((r) => r.envelope.body), ["c"]);
  assert.equal((await b.channels.read(1, undefined, { maxRecords: 10 })).map((r) => r.envelope.body), ["b"]);
  const started = Date.now();
  const waiting = b.channels.read(0, r0[1]!.position, { maxRecords: 10, waitMs: 2000 });
  setTimeout(() => void b.channels.send([{ from: "c:1", to: 0, seq: 3, body: "d" }]), 50);
  assert.equal((await waiting).map((r) => r.envelope.body), ["d"]);
  assert.ok(Date.now() - started < 1500, "woke on the send, not at the deadline");
  const empty = Date.now();
  assert.equal(await b.channels.read(1, (await b.channels.read(1, undefined, { maxRecords: 9 }))[0]!.position, { maxRecords: 5, waitMs: 100 }), []);
  assert.ok(Date.now() - empty >= 90, "waited about waitMs");
  await rejects(() => b.channels.send([{ from: "c:1", to: 5, seq: 1, body: null }]), /no partition 5/);
  assert.throws(() => b.channels.comparePositions("x", "1"), /not a local channel position/);
  await b.close();
});

test("channels: concurrent sends in one process are grouped, all stored, in call order", async () => {
  const dir = tempDir();
  const b = await createLocalBackend({ dir }, 2);
  const COUNT = 200;
  await Promise.all(Array.from({ length: COUNT }, (_, i) => b.channels.send([{ from: "c:g", to: i % 2, seq: Math.floor(i / 2) + 1, body: i }])));
  for (const p of [0, 1]) {
    const got = await b.channels.read(p, undefined, { maxRecords: 1000 });
    assert.equal(got.map((r) => r.envelope.body), [...Array(COUNT).keys()].filter((i) => i % 2 === p));
  }
  await b.close();
});

test("channels: a partial last frame is waited for, then cut as torn; a damaged frame is refused, naming file and offset, sealing nothing", async () => {
  const dir = tempDir();
  const b = await createLocalBackend({ dir, tornAfterMs: 300 }, 1);
  await b.channels.send([{ from: "c:1", to: 0, seq: 1, body: "a" }, { from: "c:1", to: 0, seq: 2, body: "b" }]);
  const file = join(dir, "channels", "p0", "000000000000.log");
  const whole = readFileSync(file);
  truncateSync(file, whole.length - 3); // the second frame is still being written
  assert.equal((await b.channels.read(0, undefined, { maxRecords: 10 })).map((r) => r.envelope.body), ["a"]);
  writeFileSync(file, whole);
  assert.equal((await b.channels.read(0, undefined, { maxRecords: 10 })).length, 2);
  assert.equal(b.channels.segments(0), [0], "a write in progress seals nothing");
  const bad = Buffer.from(whole);
  bad[10] ^= 0xff; // inside the first payload: damage to a record whose send was acknowledged, never a write in progress
  writeFileSync(file, bad);
  await rejects(() => b.channels.read(0, undefined, { maxRecords: 10 }), (e) => e instanceof StoreCorrupted && e.file === file && e.offset === 0);
  assert.equal(b.channels.segments(0), [0], "nothing sealed");
  assert.ok(readFileSync(file).equals(bad), "nothing changed");
  writeFileSync(file, whole); // restored
  assert.equal((await b.channels.read(0, undefined, { maxRecords: 10 })).map((r) => r.envelope.body), ["a", "b"]);
  assert.is(b.channels.damage.length, 0);
  await b.close();
});

test("store: leases, commits, checkpoints, objects, trimming, statuses, and recovery after reopen", async () => {
  const dir = tempDir();
  let b = await createLocalBackend({ dir }, 2);
  const lease = (await b.store.acquireLease(0, "h1", 60_000))!;
  assert.is(lease.epoch, 1);
  assert.is(await b.store.acquireLease(0, "h2", 60_000), undefined, "held by h1");
  assert.is((await b.store.acquireLease(0, "h1", 60_000))!.epoch, 1, "re-acquire by the holder renews");
  const renewed = (await b.store.renewLease(lease, 120_000))!;
  assert.ok(renewed.expiresAtMs > lease.expiresAtMs);
  // The last commit consumed a channel record: it must be in the channel when the partition is taken again.
  await b.channels.send([{ from: "c:1", to: 0, seq: 1, body: { n: 1 } }]);
  const [input] = await b.channels.read(0, undefined, { maxRecords: 1 });
  for (let p = 1; p <= 5; p++) await b.store.appendCommit(lease, commit(lease, p, p === 5 ? { inputPosition: input!.position, statusUpdates: [status("id1", "Completed", 5)] } : {}));
  await rejects(() => b.store.appendCommit(lease, commit(lease, 7)), /not 6/);
  assert.equal((await b.store.readCommits(0, 3)).map((c) => c.position), [4, 5]);
  assert.is((await b.store.readStatus("id1"))!.status, "Completed");
  assert.equal((await b.store.listStatus({ status: ["Running"] })).map((s) => s.instanceId).sort(), ["id2", "id3", "id4"]);
  assert.equal((await b.store.listStatus({ instanceIdPrefix: "id", limit: 2 })).length, 2);
  await b.store.writeCheckpoint(lease, { logPosition: 3, inputPosition: "10" }, [{ key: "i/a", value: 1 }, { key: "t/b", value: 2 }]);
  await b.store.writeCheckpoint(lease, { logPosition: 4 }, [{ key: "i/a", value: null }, { key: "i/c", value: [3] }]);
  assert.equal(await b.store.readCheckpointState(0), { logPosition: 4 });
  assert.equal(await b.store.listObjectKeys(0, "i/"), ["i/c"]);
  assert.equal(await b.store.readObject(0, "i/c"), [3]);
  assert.is(await b.store.readObject(0, "i/a"), undefined);
  await rejects(() => b.store.trimCommits(0, 5), /past the checkpoint/);
  await b.store.trimCommits(0, 4);
  assert.equal((await b.store.readCommits(0, 0)).map((c) => c.position), [5]);
  await b.close();

  b = await createLocalBackend({ dir }, 2);
  assert.equal(await b.store.readCheckpointState(0), { logPosition: 4 });
  assert.equal((await b.store.readCommits(0, 0)).map((c) => c.position), [5], "exactly the commits after the checkpoint");
  assert.is((await b.store.readCommits(0, 0))[0]!.inputPosition, input!.position);
  assert.equal(await b.store.readObject(0, "t/b"), 2);
  assert.is((await b.store.readStatus("id1"))!.status, "Completed", "status from a commit");
  assert.is((await b.store.readStatus("id3"))!.status, "Running", "status from a checkpoint (its commit was trimmed)");
  assert.is((await b.store.readStatus("id2"))!.output, null);
  const again = (await b.store.acquireLease(0, "h1", 60_000))!;
  assert.is(again.epoch, 1, "same owner before expiry keeps its epoch");
  await b.store.appendCommit(again, commit(again, 6));
  await b.store.releaseLease(again);
  const other = (await b.store.acquireLease(0, "h2", 60_000))!;
  assert.is(other.epoch, 2, "a released lease goes to another owner with a new epoch");
  await rejects(() => b.store.appendCommit(again, commit(again, 7)), (e: unknown) => e instanceof FencedError);
  await rejects(() => b.store.writeCheckpoint(again, { logPosition: 6 }, []), (e: unknown) => e instanceof FencedError);
  await b.close();
});

test("store: deltas are compacted into a snapshot and survive reopen", async () => {
  const dir = tempDir();
  let b = await createLocalBackend({ dir }, 1);
  const lease = (await b.store.acquireLease(0, "h", 60_000))!;
  const rounds = MAX_DELTAS + 4;
  for (let p = 1; p <= rounds; p++) {
    await b.store.appendCommit(lease, commit(lease, p));
    await b.store.writeCheckpoint(lease, { logPosition: p }, [{ key: `k/${p % 5}`, value: p }]);
    await b.store.trimCommits(0, p);
  }
  const files = readdirSync(join(dir, "partitions", "p0"));
  assert.ok(files.includes("checkpoint.json"), "compacted");
  assert.ok(files.filter((f) => f.startsWith("delta-")).length <= MAX_DELTAS);
  await b.close();
  b = await createLocalBackend({ dir }, 1);
  assert.equal(await b.store.readCheckpointState(0), { logPosition: rounds });
  for (let k = 0; k < 5; k++) {
    const last = [...Array(rounds).keys()].map((i) => i + 1).filter((p) => p % 5 === k).pop();
    assert.equal(await b.store.readObject(0, `k/${k}`), last);
  }
  assert.is((await b.store.listStatus({})).length, rounds);
  await b.close();
});

test("recovery: a torn tail (truncated mid-frame) is cut, earlier commits survive, appends continue", async () => {
  const dir = tempDir();
  let b = await createLocalBackend({ dir }, 1);
  let lease = (await b.store.acquireLease(0, "h", 60_000))!;
  for (let p = 1; p <= 3; p++) await b.store.appendCommit(lease, commit(lease, p));
  await b.close();
  const seg = segmentOf(dir);
  truncateSync(seg, statSync(seg).size - 5);
  b = await createLocalBackend({ dir }, 1);
  lease = (await b.store.acquireLease(0, "h", 60_000))!;
  assert.equal((await b.store.readCommits(0, 0)).map((c) => c.position), [1, 2]);
  await b.store.appendCommit(lease, commit(lease, 3, { updates: [{ key: "again", value: true }] }));
  await b.close();
  b = await createLocalBackend({ dir }, 1);
  const commits = await b.store.readCommits(0, 0);
  assert.equal(commits.map((c) => c.position), [1, 2, 3]);
  assert.equal(commits[2]!.updates, [{ key: "again", value: true }]);
  await b.close();
});

test("recovery: a flipped byte in a record before the tail refuses to open, names file and offset, changes nothing", async () => {
  const dir = tempDir();
  let b = await createLocalBackend({ dir }, 1);
  const lease = (await b.store.acquireLease(0, "h", 60_000))!;
  for (let p = 1; p <= 4; p++) await b.store.appendCommit(lease, commit(lease, p));
  await b.close();
  const seg = segmentOf(dir);
  const original = readFileSync(seg);
  const bytes = Buffer.from(original);
  const frameLength = bytes.readUInt32LE(0) + 8;
  bytes[frameLength + 12] ^= 0x01; // inside the second record's payload
  writeFileSync(seg, bytes);
  await rejects(
    () => createLocalBackend({ dir }, 1),
    (e) => e instanceof StoreCorrupted && e.file === seg && e.offset === frameLength && /Nothing was changed or deleted/.test(e.message) && /backup/.test(e.message),
  );
  assert.ok(readFileSync(seg).equals(bytes), "the damaged segment is left as it is");
  writeFileSync(seg, original); // restored from a backup
  b = await createLocalBackend({ dir }, 1);
  assert.ok(await b.store.acquireLease(0, "h", 60_000));
  assert.equal((await b.store.readCommits(0, 0)).map((c) => c.position), [1, 2, 3, 4]);
  await b.close();
});

test("recovery: a last record whose length field grew is damage, not a torn write: refused, not cut", async () => {
  const dir = tempDir();
  const b = await createLocalBackend({ dir }, 1);
  const lease = (await b.store.acquireLease(0, "h", 60_000))!;
  for (let p = 1; p <= 3; p++) await b.store.appendCommit(lease, commit(lease, p));
  await b.close(); // as after a kill: lease.json records no end of the log yet
  const seg = segmentOf(dir);
  const bytes = readFileSync(seg);
  const last = decodeFrames(bytes).frames.pop()!;
  bytes.writeUInt32LE(bytes.readUInt32LE(last.start) + 64, last.start); // now it claims 64 bytes more than the file holds
  writeFileSync(seg, bytes);
  await rejects(() => createLocalBackend({ dir }, 1), (e) => e instanceof StoreCorrupted && e.file === seg && e.offset === last.start);
  assert.ok(readFileSync(seg).equals(bytes), "not cut");
});

test("a store written before checksums and manifests opens as it is, and is rewritten sealed when taken", async () => {
  const dir = tempDir();
  let b = await createLocalBackend({ dir }, 1);
  const lease = (await b.store.acquireLease(0, "h", 60_000))!;
  for (let p = 1; p <= 4; p++) await b.store.appendCommit(lease, commit(lease, p));
  await b.store.writeCheckpoint(lease, { logPosition: 2 }, [{ key: "k", value: "v2" }]);
  await b.store.writeCheckpoint(lease, { logPosition: 3 }, [{ key: "j", value: 3 }]);
  await b.store.releaseLease(lease);
  await b.close();
  // The old format: plain JSON files, no checksum, no delta chain, no holder, no manifest.
  const pdir = join(dir, "partitions", "p0");
  for (const n of readdirSync(pdir).filter((n) => n.endsWith(".json"))) {
    const { owner, epoch, expiresAtMs, state, updates, statuses, objects } = JSON.parse(readFileSync(join(pdir, n), "utf8"));
    writeFileSync(join(pdir, n), JSON.stringify(n === "lease.json" ? { owner, epoch, expiresAtMs } : { state, updates, statuses, objects }));
  }
  unlinkSync(join(pdir, "manifest.json"));
  b = await createLocalBackend({ dir }, 1);
  assert.ok(await b.store.acquireLease(0, "h2", 60_000));
  assert.equal(await b.store.readCheckpointState(0), { logPosition: 3 });
  assert.equal([await b.store.readObject(0, "k"), await b.store.readObject(0, "j")], ["v2", 3]);
  assert.equal((await b.store.readCommits(0, 3)).map((c) => c.position), [4]);
  await b.close();
  const names = readdirSync(pdir);
  assert.ok(names.includes("manifest.json") && !names.some((n) => n.startsWith("delta-")), names.join(","));
  assert.match(readFileSync(join(pdir, "checkpoint.json"), "utf8"), /"crc32":\d+}$/);
  b = await createLocalBackend({ dir }, 1);
  assert.ok(await b.store.acquireLease(0, "h2", 60_000));
  assert.equal([await b.store.readObject(0, "k"), await b.store.readObject(0, "j")], ["v2", 3]);
  await b.close();
});

test("a crash between the temp write and the rename leaves the old checkpoint", async () => {
  const dir = tempDir();
  let b = await createLocalBackend({ dir }, 1);
  const lease = (await b.store.acquireLease(0, "h", 60_000))!;
  for (let p = 1; p <= 2; p++) await b.store.appendCommit(lease, commit(lease, p));
  await b.store.writeCheckpoint(lease, { logPosition: 1 }, [{ key: "k", value: "old" }]);
  writeAtomicFaults.crashBeforeRename = true;
  try {
    await rejects(() => b.store.writeCheckpoint(lease, { logPosition: 2 }, [{ key: "k", value: "new" }]), /simulated crash/);
  } finally {
    writeAtomicFaults.crashBeforeRename = false;
  }
  await b.close();
  b = await createLocalBackend({ dir }, 1);
  assert.equal(await b.store.readCheckpointState(0), { logPosition: 1 });
  assert.equal(await b.store.readObject(0, "k"), "old");
  assert.equal((await b.store.readCommits(0, 1)).map((c) => c.position), [2]);
  await b.close();
});

test("fencing holds across processes: a second process's stale epoch is refused, a taken lease is seen", async () => {
  const dir = tempDir();
  const b = await createLocalBackend({ dir }, 1);
  const first = (await b.store.acquireLease(0, "h1", 60_000))!;
  await b.store.appendCommit(first, commit(first, 1));
  assert.is(await child(dir, "1", "acquire", "h2"), `held ${process.pid}`, "a live holder on this machine is named at once");
  assert.is(await child(dir, "1", "append", "h1", "1", "2"), "ok", "the holder's epoch from another process is accepted");
  await b.store.releaseLease(first);
  assert.is(await child(dir, "1", "acquire", "h2"), "2");
  assert.is(await child(dir, "1", "append", "h1", "1", "3"), "fenced");
  await rejects(() => b.store.appendCommit(first, commit(first, 3)), (e: unknown) => e instanceof FencedError);
  await b.close();
});

test("a host committing back to back keeps the lock, yet another process takes its expired lease and fences it", async () => {
  const dir = tempDir();
  const b = await createLocalBackend({ dir }, 1);
  const first = (await b.store.acquireLease(0, "h1", 300))!;
  let acknowledged = 0;
  let fenced = false;
  let takenOver = false;
  // Commits one after another, never idle: the held lock is given up only at HELD_LOCK_MAX_MS (or when fenced).
  const committing = (async () => {
    for (let position = 1; ; position++) {
      try {
        await b.store.appendCommit(first, commit(first, position));
        acknowledged = position;
      } catch (error) {
        if (!(error instanceof FencedError)) throw error;
        fenced = true;
        return;
      }
      if (takenOver) return; // this commit began after the take-over: it should have been refused
    }
  })();
  await new Promise((r) => setTimeout(r, 400)); // h1's lease has expired; it goes on committing
  assert.is(await child(dir, "1", "acquire", "h2"), "2", "the other process gets the lock between two commits and takes the expired lease");
  const acknowledgedBeforeTakeOver = acknowledged;
  takenOver = true;
  await committing;
  assert.ok(fenced, "h1's next commit after the take-over is refused");
  assert.is(acknowledged, acknowledgedBeforeTakeOver, "no commit of h1 is acknowledged after the take-over");
  assert.ok(acknowledged > 0);
  await b.close();
  const after = await createLocalBackend({ dir }, 1);
  const positions = (await after.store.readCommits(0, 0)).map((c) => c.position);
  assert.equal(positions, [...Array(acknowledged).keys()].map((i) => i + 1), "exactly the acknowledged commits are on disk, none after the fence");
  await after.close();
});

test("two processes sending to one channel concurrently never interleave frames", async () => {
  const dir = tempDir();
  const b = await createLocalBackend({ dir }, 1);
  const PER_SENDER = 150; // enough overlapping appends to interleave if frames could, small enough for 2 cores
  await Promise.all([child(dir, "1", "send", "c:a", String(PER_SENDER)), child(dir, "1", "send", "c:b", String(PER_SENDER))]);
  const all = await b.channels.read(0, undefined, { maxRecords: 10_000 });
  assert.is(all.length, 2 * PER_SENDER);
  for (const from of ["c:a", "c:b"]) {
    assert.equal(all.filter((r) => r.envelope.from === from).map((r) => r.envelope.seq), [...Array(PER_SENDER).keys()].map((i) => i + 1));
  }
  await b.close();
});

test("a store that does not own a partition sees the statuses another store (process) commits", async () => {
  const dir = tempDir();
  const host = await createLocalBackend({ dir }, 1);
  const client = await createLocalBackend({ dir }, 1);
  const lease = (await host.store.acquireLease(0, "h", 60_000))!;
  assert.is(await client.store.readStatus("id1"), undefined);
  await host.store.appendCommit(lease, commit(lease, 1));
  assert.is((await client.store.readStatus("id1"))?.status, "Running");
  await host.store.appendCommit(lease, commit(lease, 2, { statusUpdates: [status("id1", "Completed", 2)] }));
  await host.store.writeCheckpoint(lease, { logPosition: 2 }, []);
  await host.store.trimCommits(0, 2);
  assert.is((await client.store.readStatus("id1"))?.status, "Completed");
  assert.equal((await client.store.listStatus({ status: ["Completed"] })).map((s) => s.instanceId), ["id1"]);
  await host.close();
  await client.close();
});

test("a lock file left by a killed process is broken at once, not after the stale timeout", async () => {
  const dir = tempDir();
  const b = await createLocalBackend({ dir }, 1);
  const dead = await run(process.execPath, ["-e", "console.log(process.pid)"]);
  writeFileSync(join(dir, "partitions", "p0", "lease.lock"), dead.stdout.trim());
  const started = Date.now();
  const lease = await b.store.acquireLease(0, "h", 60_000);
  assert.is(lease?.epoch, 1);
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  writeFileSync(join(dir, "partitions", "p0", "lease.lock"), String(process.pid)); // a live holder (this process) is waited for
  const blocked = await Promise.race([b.store.renewLease(lease!, 60_000).then(() => "renewed"), new Promise((r) => setTimeout(() => r("waiting"), 200))]);
  assert.is(blocked, "waiting");
  rmSync(join(dir, "partitions", "p0", "lease.lock"));
  await new Promise((r) => setTimeout(r, 50));
  await b.close();
});

test.run();
