// A send on the local backend is readable by a reader of the same process as
// soon as it is written, before its fsync ends, so a partition applies it
// while it becomes durable; `channels.durable()` says when it is. The commit
// that consumed it may be written and fsync'd meanwhile, but nothing of it is
// acknowledged (status rows, the start, messages out) before the record is
// durable; recovery drops such a commit if a power cut lost the record
// (local-power-cut.test.ts). The channel's fsyncs are held back here by a gate
// on the real fsync call.
import fs, { readdirSync, readlinkSync, statSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createLocalBackend } from "../../runtime/backends/local/index.ts";
import { startHost } from "../../runtime/host.ts";
import { partitionOfInstance } from "../../runtime/partitions/hash.ts";
import { activity } from "../../runtime/api.ts";
import { genOrchestration } from "../runtime/machines/generator-machine.ts";
import { countedHello3, tempDirs } from "./local-fixtures.ts";

const tempDir = tempDirs("durable");

/** Holds back the fsyncs of channel segments while closed; the held ones run when it opens. */
const gate = { closed: false, held: [] as (() => void)[], channelFsyncs: 0 };
const realFsync = fs.fsync;
(fs as { fsync: typeof fs.fsync }).fsync = ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
  let path = "";
  try {
    path = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    /* not a file we gate */
  }
  const isChannel = path.includes(`${join("channels", "p")}`);
  if (isChannel) gate.channelFsyncs++;
  const run = () => realFsync(fd, callback);
  if (isChannel && gate.closed) gate.held.push(run);
  else run();
}) as typeof fs.fsync;
syncBuiltinESMExports();

function openGate(): void {
  gate.closed = false;
  for (const run of gate.held.splice(0)) run();
}

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  await new Promise((r) => setTimeout(r, 20));
  return done;
};

test("a send is readable in its process before its fsync ends; durable() resolves only after it", async () => {
  const b = await createLocalBackend({ dir: tempDir() }, 1);
  gate.closed = true;
  const send = b.channels.send([{ from: "c:1", to: 0, seq: 1, body: { n: 1 } }]);
  const records = await b.channels.read(0, undefined, { maxRecords: 10, waitMs: 2_000 });
  assert.equal(records.map((r) => r.envelope.seq), [1], "the reader saw the send while its fsync was held");
  assert.equal(gate.held.length, 1, "the channel's fsync is still held");
  assert.not.ok(await settled(send), "the send resolves only once durable");
  const durable = b.channels.durable(0, records[0]!.position);
  assert.ok(durable, "not durable yet: durable() gives a promise");
  assert.not.ok(await settled(durable!), "durable() waits for the fsync");
  openGate();
  await send;
  await durable;
  assert.is(b.channels.durable(0, records[0]!.position), undefined, "durable now");
  await b.close();
});

test("bytes this process did not fsync (another writer's) are fsync'd by durable()", async () => {
  const dir = tempDir();
  const writer = await createLocalBackend({ dir }, 1);
  await writer.channels.send([{ from: "c:1", to: 0, seq: 1, body: { n: 1 } }]);
  await writer.close();
  const reader = await createLocalBackend({ dir }, 1);
  const [record] = await reader.channels.read(0, undefined, { maxRecords: 10 });
  const before = gate.channelFsyncs;
  await reader.channels.durable(0, record!.position);
  assert.is(gate.channelFsyncs, before + 1, "one fsync of the segment");
  assert.is(reader.channels.durable(0, record!.position), undefined, "then known durable");
  await reader.close();
});

test("a record in a segment older than the last one written: durable() once, then known durable", async () => {
  const dir = tempDir();
  const b = await createLocalBackend({ dir, segmentBytes: 200 }, 1);
  await b.channels.send([{ from: "c:1", to: 0, seq: 1, body: { pad: "x".repeat(300) } }]);
  const [first] = await b.channels.read(0, undefined, { maxRecords: 1 });
  // Sealed by the send above (past 200 bytes): these go to later segments, fsync'd there.
  for (let seq = 2; seq <= 4; seq++) await b.channels.send([{ from: "c:1", to: 0, seq, body: { pad: "y".repeat(300) } }]);
  assert.ok(b.channels.segments(0).length > 2);
  const wait = b.channels.durable(0, first!.position);
  if (wait) await wait;
  assert.is(b.channels.durable(0, first!.position), undefined, "not fsync'd again and again");
  const all = await b.channels.read(0, undefined, { maxRecords: 10 });
  assert.is(b.channels.durable(0, all.at(-1)!.position), undefined, "the last one, fsync'd by its send");
  await b.close();
});

const { greet, hello3, runs: greetRuns } = countedHello3();

function commitLogBytes(dir: string, partition: number): number {
  const pdir = join(dir, "partitions", `p${partition}`);
  return readdirSync(pdir).filter((n) => n.endsWith(".seg")).reduce((sum, n) => sum + statSync(join(pdir, n)).size, 0);
}

test("a partition applies a start while the send's fsync runs, writes its commit meanwhile with the steps after it, and acknowledges nothing before the send is durable", async () => {
  const dir = tempDir();
  const host = await startHost({ app: [greet, hello3], backend: { kind: "local", dir }, partitions: 2, log: () => undefined });
  try {
    const id = "held-start";
    const partition = partitionOfInstance(id, 2);
    const commitsBefore = host.partitions[partition]!.stats.commits;
    const logBefore = commitLogBytes(dir, partition);
    gate.closed = true;
    const start = host.client.start(hello3, null, { instanceId: id });
    // All three activities run on the applied but not yet durable start: activities are at-least-once.
    while (greetRuns() < 3) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 200 && commitLogBytes(dir, partition) === logBefore; i++) await new Promise((r) => setTimeout(r, 5));
    const written = commitLogBytes(dir, partition);
    assert.ok(written > logBefore, "the commit is written (and fsync'd) while the start's fsync is held");
    await new Promise((r) => setTimeout(r, 50));
    assert.is(await host.client.status(id), undefined, "its status row is not visible before the start is durable");
    assert.is(host.partitions[partition]!.stats.commits, commitsBefore, "nor is the commit counted as done");
    assert.not.ok(await settled(start), "nor does the start resolve");
    openGate();
    await start;
    const s = await host.client.wait(id, { timeoutMs: 10_000 });
    assert.equal(s.output, ["Hello Tokyo!", "Hello Seattle!", "Hello London!"]);
    assert.is(host.partitions[partition]!.stats.commits, commitsBefore + 1, "the start and the three steps after it: one commit");
    assert.is(commitLogBytes(dir, partition), written, "the commit written while the gate was closed is the one acknowledged");
  } finally {
    openGate();
    await host.stop();
  }
});

test("while an activity runs, the record holding the start closes once the start is durable: a long activity does not hold the start's answer", async () => {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const slow = activity("slow", async () => {
    await released;
    return "done";
  });
  const waits = genOrchestration("waits", function* (ctx) {
    return yield ctx.call(slow, null);
  });
  const host = await startHost({ app: [slow, waits], backend: { kind: "local", dir: tempDir() }, partitions: 1, log: () => undefined });
  try {
    gate.closed = true;
    const start = host.client.start(waits, null, { instanceId: "slow-1" });
    await new Promise((r) => setTimeout(r, 30));
    assert.not.ok(await settled(start), "not answered while the start's fsync is held");
    openGate();
    // The activity still runs, so the partition is not idle: the input's fsync is what closes the record.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("the start was not answered while the activity ran")), 5_000)));
    await Promise.race([start, late]).finally(() => clearTimeout(timer));
    assert.is((await host.client.status("slow-1"))?.status, "Running");
    release();
    assert.is((await host.client.wait("slow-1", { timeoutMs: 10_000 })).output, "done");
  } finally {
    openGate();
    release();
    await host.stop();
  }
});

test.run();
