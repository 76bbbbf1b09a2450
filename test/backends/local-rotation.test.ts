// Channel segments and trimming on the local backend: rotation, readers across
// segments, the seal protocol (a writer whose head was sealed under it writes
// again), trimming below a checkpoint's input position, crashes mid-rotation
// and mid-delete, torn frames in sealed segments, concurrent senders in two
// processes rotating under each other, and a host whose files stay bounded and
// that loses nothing across a restart after trimming.
import { execFile } from "node:child_process";
import { appendFileSync, mkdirSync, readdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { channelFaults, type LocalChannels } from "../../runtime/backends/local/channels.ts";
import { encodeFrame } from "../../runtime/backends/local/framing.ts";
import { createLocalBackend } from "../../runtime/backends/local/index.ts";
import type { ChannelRecord, Envelope } from "../../runtime/backends/types.ts";
import { startHost } from "../../runtime/host.ts";
import { countedHello3, tempDirs } from "./local-fixtures.ts";

const run = promisify(execFile);
const CHILD = new URL("./local-child.ts", import.meta.url).pathname;

const tempDir = tempDirs("rot");

const env = (seq: number, from = "c:1", to = 0): Envelope => ({ from, to, seq, body: { pad: "x".repeat(40), seq } });
const seqs = (rs: ChannelRecord[]) => rs.map((r) => r.envelope.seq);
const channelDir = (dir: string, p = 0) => join(dir, "channels", `p${p}`);
const segFile = (dir: string, s: number, p = 0) => join(channelDir(dir, p), `${String(s).padStart(12, "0")}.log`);

async function readAll(ch: LocalChannels, after?: string): Promise<ChannelRecord[]> {
  const out: ChannelRecord[] = [];
  for (;;) {
    const got = await ch.read(0, out.length > 0 ? out[out.length - 1]!.position : after, { maxRecords: 37 });
    if (got.length === 0) return out;
    out.push(...got);
  }
}

/** A one-partition backend in a new directory whose channel got `count` sends one by one (rotating at `segmentBytes`), and every record read back. */
async function filledChannel(segmentBytes: number, count: number) {
  const dir = tempDir();
  const b = await createLocalBackend({ dir, segmentBytes }, 1);
  for (let i = 1; i <= count; i++) await b.channels.send([env(i)]);
  return { dir, b, all: await readAll(b.channels) };
}

test("channel segments rotate at segmentBytes; reads cross them in order; positions only grow", async () => {
  const dir = tempDir();
  const b = await createLocalBackend({ dir, segmentBytes: 1024 }, 1);
  for (let i = 1; i <= 60; i++) await b.channels.send([env(i)]);
  await Promise.all(Array.from({ length: 60 }, (_, i) => b.channels.send([env(61 + i)])));
  const segments = b.channels.segments(0);
  assert.ok(segments.length >= 8, `rotated: ${segments.length} segments`);
  assert.equal(segments, [...segments.keys()], "numbered 0, 1, 2, ...");
  for (const s of segments.slice(0, -1)) assert.ok(statSync(segFile(dir, s)).size >= 1024, `segment ${s} sealed only past the size`);
  const all = await readAll(b.channels);
  assert.equal(seqs(all), [...Array(120).keys()].map((i) => i + 1));
  for (let i = 1; i < all.length; i++) assert.ok(b.channels.comparePositions(all[i - 1]!.position, all[i]!.position) < 0);
  assert.equal(seqs(await b.channels.read(0, all[59]!.position, { maxRecords: 3 })), [61, 62, 63], "read from a position in an older segment");
  assert.is(b.channels.comparePositions("12", "0:12"), 0, "a pre-segment position reads as segment 0");
  await b.close();
});

test("a writer whose head is sealed between its choice and its write writes again to the new head; nothing is lost", async () => {
  const dir = tempDir();
  const b = await createLocalBackend({ dir }, 1);
  for (let i = 1; i <= 3; i++) await b.channels.send([env(i)]);
  channelFaults.beforeAppend = (_partition, segment) => {
    channelFaults.beforeAppend = undefined;
    // Another process seals the head and sends to the new one; the reader consumes that record (it has left segment 0).
    writeFileSync(segFile(dir, segment + 1), encodeFrame(env(1, "c:other")));
  };
  await b.channels.send([env(4)]); // lands in segment 0 after the seal, then again in segment 1
  const all = await readAll(b.channels);
  const other = all.find((r) => r.envelope.from === "c:other")!;
  const after = await b.channels.read(0, other.position, { maxRecords: 10 });
  assert.equal(seqs(after), [4], "the late send is readable after the position of a record of the new head");
  assert.equal(seqs(all), [1, 2, 3, 4, 1, 4], "at most a duplicate (receivers de-duplicate)");
  await b.close();
});

test("trimming: segments below a durable checkpoint's input position are deleted; reading resumes; no consumed record reappears", async () => {
  const { dir, b, all } = await filledChannel(1024, 200);
  const before = b.channels.segments(0);
  const lease = (await b.store.acquireLease(0, "h", 60_000))!;
  const consumed = all[149]!.position;
  await b.store.appendCommit(lease, { position: 1, epoch: lease.epoch, inputPosition: consumed, updates: [], statusUpdates: [] });
  await b.store.writeCheckpoint(lease, { logPosition: 1, inputPosition: consumed }, []);
  const after = b.channels.segments(0);
  const keepFrom = Number(consumed.split(":")[0]);
  assert.equal(after, before.filter((s) => s >= keepFrom), "every segment below the consumed one is gone, the rest kept");
  assert.ok(after.length < before.length);
  assert.equal(seqs(await readAll(b.channels, consumed)), [...Array(50).keys()].map((i) => 151 + i));
  assert.ok(seqs(await readAll(b.channels))[0]! > 1, "from the start means from the first segment kept");
  await b.close();
  // Reopen (a restart): the same records after the checkpoint's position, new sends after them.
  const reopened = await createLocalBackend({ dir, segmentBytes: 1024 }, 1);
  await reopened.channels.send([env(201)]);
  assert.equal(seqs(await readAll(reopened.channels, (await reopened.store.readCheckpointState(0)).inputPosition)), [...Array(51).keys()].map((i) => 151 + i));
  await reopened.close();
});

test("a crash mid-delete or mid-rotation: a reader at the consumed position sees exactly the unconsumed records", async () => {
  const { dir, b, all } = await filledChannel(600, 80);
  const consumed = all[59]!;
  const segs = b.channels.segments(0);
  const keepFrom = Number(consumed.position.split(":")[0]);
  assert.ok(keepFrom >= 3);
  unlinkSync(segFile(dir, segs[0]!)); // killed after deleting only the first of the segments to trim
  assert.equal(seqs(await readAll(b.channels, consumed.position)), [...Array(20).keys()].map((i) => 61 + i));
  const head = segs[segs.length - 1]!;
  writeFileSync(segFile(dir, head + 1), ""); // killed right after creating the next segment (rotation), before any write to it
  await b.channels.send([env(81)]);
  assert.equal(seqs(await readAll(b.channels, consumed.position)), [...Array(21).keys()].map((i) => 61 + i));
  assert.ok(statSync(segFile(dir, head + 1)).size > 0, "the send went to the new head");
  b.channels.trimConsumed(0, consumed.position); // the next checkpoint finishes the trim
  assert.equal(b.channels.segments(0)[0], keepFrom);
  await b.close();
});

test("torn frames: in the head, waited for tornAfterMs then sealed and skipped; records other writers appended after it still arrive", async () => {
  const dir = tempDir();
  const b = await createLocalBackend({ dir, segmentBytes: 1 << 20, tornAfterMs: 200 }, 1);
  await b.channels.send([env(1)]);
  const torn = encodeFrame(env(2, "c:killed"));
  appendFileSync(segFile(dir, 0), torn.subarray(0, torn.length - 5)); // a writer killed mid-write, claims more bytes than follow
  const first = await b.channels.read(0, undefined, { maxRecords: 10 });
  assert.equal(seqs(first), [1]);
  const started = Date.now();
  const waited = await b.channels.read(0, first[0]!.position, { maxRecords: 10, waitMs: 100 });
  assert.equal(waited, [], "not yet torn: may be a write in progress");
  const late = await b.channels.read(0, first[0]!.position, { maxRecords: 10, waitMs: 2000 });
  assert.equal(late, [], "torn: sealed and skipped; nothing after it yet");
  assert.ok(Date.now() - started >= 200);
  assert.equal(b.channels.segments(0), [0, 1]);
  await b.channels.send([env(3)]);
  assert.equal(seqs(await readAll(b.channels, first[0]!.position)), [3]);

  // A torn frame followed by frames of other writers (appended before anyone sealed): resynchronised, delivered.
  const dir2 = tempDir();
  const c = await createLocalBackend({ dir: dir2, tornAfterMs: 200 }, 1);
  await c.channels.send([env(1)]);
  appendFileSync(segFile(dir2, 0), torn.subarray(0, 20));
  appendFileSync(segFile(dir2, 0), Buffer.concat([encodeFrame(env(2)), encodeFrame(env(3))])); // as another process's send would
  const got: ChannelRecord[] = [];
  const deadline = Date.now() + 3000;
  while (got.length < 3 && Date.now() < deadline) got.push(...(await c.channels.read(0, got.length ? got[got.length - 1]!.position : undefined, { maxRecords: 10, waitMs: 50 })));
  assert.equal(seqs(got), [1, 2, 3]);
  assert.equal(c.channels.damage.map((d) => d.bytes), [20]);
  await b.close();
  await c.close();
});

test("a torn frame first in a fresh head, read from a position in the segment before it, is decided after tornAfterMs too", async () => {
  // The reader passes the previous segment's good end on every read: that must not restart the head's wait.
  const dir = tempDir();
  const b = await createLocalBackend({ dir, segmentBytes: 1, tornAfterMs: 200 }, 1);
  await b.channels.send([env(1)]); // past segmentBytes: segment 1 is the head, empty
  assert.equal(b.channels.segments(0), [0, 1]);
  const consumed = await readAll(b.channels);
  assert.equal(seqs(consumed), [1]);
  const torn = encodeFrame(env(3, "c:killed"));
  appendFileSync(segFile(dir, 1), torn.subarray(0, torn.length - 5));
  const after = consumed[consumed.length - 1]!.position;
  const deadline = Date.now() + 3000;
  while (b.channels.segments(0).length < 3 && Date.now() < deadline) assert.equal(await b.channels.read(0, after, { maxRecords: 10, waitMs: 50 }), []);
  assert.equal(b.channels.segments(0), [0, 1, 2], "sealed: decided as torn");
  await b.channels.send([env(4)]);
  assert.equal(seqs(await readAll(b.channels, after)), [4]);
  await b.close();
});

test("a channel file from before segments (channels/p<N>.log) becomes segment 0; its positions still read", async () => {
  const dir = tempDir();
  const legacy = Buffer.concat([encodeFrame(env(1)), encodeFrame(env(2))]);
  mkdirSync(join(dir, "channels"), { recursive: true });
  writeFileSync(join(dir, "channels", "p0.log"), legacy);
  const b = await createLocalBackend({ dir }, 1);
  assert.equal(readdirSync(join(dir, "channels")).sort(), ["p0"]);
  const r = await b.channels.read(0, String(encodeFrame(env(1)).length), { maxRecords: 10 });
  assert.equal(seqs(r), [2]);
  await b.close();
});

test("two processes sending concurrently with tiny segments rotate under each other; every send arrives, none interleaved", async () => {
  const dir = tempDir();
  const b = await createLocalBackend({ dir, segmentBytes: 2048 }, 1);
  const PER_SENDER = 120;
  const opts = { env: { ...process.env, NWC_TEST_SEGMENT_BYTES: "2048" } };
  const child = (from: string) => run(process.execPath, ["--conditions=source", "--import", "tsx", CHILD, dir, "1", "send", from, String(PER_SENDER)], opts);
  await Promise.all([child("c:a"), child("c:b")]);
  const all = await readAll(b.channels);
  assert.ok(b.channels.segments(0).length > 5);
  for (const from of ["c:a", "c:b"]) {
    const got = [...new Set(all.filter((r) => r.envelope.from === from).map((r) => r.envelope.seq))].sort((x, y) => x - y);
    assert.equal(got, [...Array(PER_SENDER).keys()].map((i) => i + 1), `${from}: every seq (duplicates allowed)`);
  }
  assert.equal(b.channels.damage, []);
  await b.close();
});

// A host on small segments: many orchestrations and checkpoints, then a restart.
const { greet, hello3, runs: greetRuns } = countedHello3();

function filesUnder(dir: string, keep: (name: string) => boolean): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !keep(e.name)) continue;
    count++;
    bytes += statSync(join(e.parentPath, e.name)).size;
  }
  return { count, bytes };
}

test("a host on local keeps channel and commit-log files bounded by trimming; a restart after trimming loses nothing and re-runs nothing", async () => {
  const dir = tempDir();
  const SEGMENT = 16 * 1024;
  const N = 600;
  // Every other commit: grouped client sends and group commit across batches make 600 starts only a handful of commits per partition.
  const options = { partitions: 2, log: () => undefined, partitionOptions: { checkpointEveryCommits: 2 } };
  let backend = await createLocalBackend({ dir, segmentBytes: SEGMENT }, 2);
  let host = await startHost({ app: [greet, hello3], backend, ...options });
  for (let round = 0; round < 3; round++) {
    const ids = await Promise.all(Array.from({ length: N / 3 }, (_, i) => host.client.start(hello3, null, { instanceId: `h-${round}-${i}` })));
    for (const id of ids) assert.is((await host.client.wait(id, { timeoutMs: 60_000 })).status, "Completed");
  }
  await host.stop();
  await backend.close();
  const channels = filesUnder(join(dir, "channels"), (n) => n.endsWith(".log"));
  const logs = filesUnder(join(dir, "partitions"), (n) => n.endsWith(".seg"));
  const written = greetRuns();
  assert.is(written, 3 * N, "each activity ran once");
  const reopened = await createLocalBackend({ dir, segmentBytes: SEGMENT }, 2);
  for (const p of [0, 1]) {
    const checkpoint = await reopened.store.readCheckpointState(p);
    assert.ok(checkpoint.logPosition > 0 && checkpoint.inputPosition !== undefined, "checkpoints were taken");
    // Channel: every segment below the one holding the checkpoint's consumed position is gone, and there were some.
    const kept = reopened.channels.segments(p);
    const consumedSegment = Number(checkpoint.inputPosition!.split(":")[0]);
    assert.is(kept[0], consumedSegment, `p${p}: channel segments kept from the consumed one (${kept.join(",")})`);
    assert.ok(consumedSegment > 0, `p${p}: the channel rotated and was trimmed`);
    // Commit log: at most one kept segment starts at or below the checkpoint (the one holding it); the first ones are gone.
    const firsts = readdirSync(join(dir, "partitions", `p${p}`)).filter((n) => n.endsWith(".seg")).map((n) => Number(n.slice(4, 16)));
    assert.ok(firsts.filter((f) => f <= checkpoint.logPosition).length <= 1, `p${p}: log segments ${firsts.join(",")}, checkpoint ${checkpoint.logPosition}`);
    assert.ok(Math.min(...firsts) > 1, `p${p}: the log was trimmed`);
  }
  await reopened.close();
  console.log(`  kept after ${N} hello3 on ${SEGMENT / 1024} KiB segments: ${channels.count} channel segments (${channels.bytes} B), ${logs.count} commit-log segments (${logs.bytes} B)`);

  backend = await createLocalBackend({ dir, segmentBytes: SEGMENT }, 2);
  host = await startHost({ app: [greet, hello3], backend, ...options });
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < N / 3; i += 37) {
      const s = await host.client.status(`h-${round}-${i}`);
      assert.is(s?.status, "Completed");
      assert.equal(s?.output, ["Hello Tokyo!", "Hello Seattle!", "Hello London!"]);
    }
  }
  const again = await host.client.start(hello3, null, { instanceId: "h-0-0" }); // idempotent: not run again
  assert.is(again, "h-0-0");
  const fresh = await host.client.start(hello3, null, { instanceId: "after-restart" });
  assert.is((await host.client.wait(fresh, { timeoutMs: 30_000 })).status, "Completed");
  assert.is(greetRuns(), written + 3, "nothing consumed before the restart was delivered again as new work");
  await host.stop();
  await backend.close();
});

test.run();
