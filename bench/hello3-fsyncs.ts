/**
 * Where a sequential Hello3's time goes on the local backend: counts the
 * fsyncs per instance (channel sends, commit appends, others) and prints the
 * timeline of the last few instances (each fsync's start and end, each
 * batch, each commit append, when `start` and `wait` resolve), in ms from
 * the start call. The fsyncs are counted by wrapping `fs.fsync` and
 * `fs.fsyncSync` for this process; nothing else changes.
 * Run: node --conditions=source --import tsx bench/hello3-fsyncs.ts [instances] [dir]
 * (dir: where the store goes, default the temp directory; /dev/shm shows the
 * cost without the disk).
 */
import fs, { mkdtempSync, readlinkSync, rmSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const INSTANCES = Number(process.argv[2] ?? 200);
const ROOT = process.argv[3] ?? tmpdir();
/** Untimed instances first: they measure V8's compiler, not the runtime. */
const WARMUP = 20;
/** Timelines printed, of the last instances. */
const SHOWN = 2;

const events: { atMs: number; what: string }[] = [];
let t0 = 0;
const mark = (what: string) => events.push({ atMs: performance.now() - t0, what });
/** A file's path below the store directory, from its descriptor. */
const pathOf = (fd: number) => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`).replace(/^.*nwc-fsyncs-[^/]*\//, "");
  } catch {
    return "?";
  }
};
const realFsync = fs.fsync;
const realFsyncSync = fs.fsyncSync;
(fs as { fsync: typeof fs.fsync }).fsync = ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
  const path = pathOf(fd);
  mark(`fsync start ${path}`);
  realFsync(fd, (error) => {
    mark(`fsync end   ${path}`);
    callback(error);
  });
}) as typeof fs.fsync;
(fs as { fsyncSync: typeof fs.fsyncSync }).fsyncSync = (fd: number) => {
  mark(`fsync (sync) ${pathOf(fd)}`);
  realFsyncSync(fd);
};
syncBuiltinESMExports();

/** Marks the start and end of a method (its promise's settling, if it returns one). */
function traced(proto: Record<string, unknown>, method: string, label: string): void {
  const original = proto[method] as (...args: unknown[]) => unknown;
  proto[method] = function (this: unknown, ...args: unknown[]) {
    mark(`${label} start`);
    const result = original.apply(this, args);
    if (result instanceof Promise) return result.finally(() => mark(`${label} end`));
    mark(`${label} end`);
    return result;
  };
}

const { LocalStore } = await import("../runtime/backends/local/store.ts");
const { Partition } = await import("../runtime/partitions/partition.ts");
const { startHost } = await import("../runtime/host.ts");
const { loadWorkloads } = await import("./workloads.ts");
traced(LocalStore.prototype as never, "appendCommit", "appendCommit");
traced(Partition.prototype as never, "runBatch", "batch");

const w = (await loadWorkloads()).compiled;
const dir = mkdtempSync(join(ROOT, "nwc-fsyncs-"));
const host = await startHost({ app: w.app, backend: { kind: "local", dir }, partitions: 4, log: () => undefined });
try {
  for (let i = 0; i < WARMUP; i++) await host.client.wait(await host.client.start(w.hello3, null), { timeoutMs: 30_000 });
  const counts = { channel: [] as number[], commit: [] as number[], other: [] as number[] };
  const latencies: number[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    events.length = 0;
    t0 = performance.now();
    const id = await host.client.start(w.hello3, null);
    mark("START resolved");
    await host.client.wait(id, { timeoutMs: 30_000 });
    mark("WAIT resolved");
    latencies.push(performance.now() - t0);
    const fsyncs = events.filter((e) => e.what.startsWith("fsync start") || e.what.startsWith("fsync (sync)"));
    const channel = fsyncs.filter((e) => e.what.includes("channels/")).length;
    const commit = fsyncs.filter((e) => e.what.includes(".seg")).length;
    counts.channel.push(channel);
    counts.commit.push(commit);
    counts.other.push(fsyncs.length - channel - commit);
    if (i >= INSTANCES - SHOWN) {
      console.log(`\ninstance ${i + 1}: ${latencies.at(-1)!.toFixed(3)} ms`);
      for (const e of events) console.log(`  ${e.atMs.toFixed(3).padStart(8)}  ${e.what}`);
    }
  }
  const mean = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2);
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(`\n${INSTANCES} sequential Hello3 on local (${dir}): fsyncs per instance, mean: channel ${mean(counts.channel)}, commit log ${mean(counts.commit)}, other ${mean(counts.other)}; latency p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)} ms`);
} finally {
  await host.stop();
  rmSync(dir, { recursive: true, force: true });
}
