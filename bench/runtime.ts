/**
 * Runtime benchmarks. Run: node --expose-gc --conditions=source --import tsx bench/runtime.ts [--quick] [--backend memory|local]
 *
 * 1. Hello3 latency: one instance of a 3-activity sequence at a time, start
 *    to observed completion; p50 and p99 over SEQUENTIAL_RUNS.
 * 2. Hello5 throughput: THROUGHPUT_INSTANCES 5-activity sequences started at
 *    once; instances completed per second.
 * 3. Fan-out of 100: wall time of one instance calling 100 activities in parallel.
 * 4. Resume cost: one long loop; the time of one more step (event -> step ->
 *    commit -> status) at step LONG_LOOP_STEPS vs at step 10. The ratio is
 *    the point of compiled frames: it should be ~1 (no replay).
 * 5. Memory per idle instance: heap growth per waiting instance (IDLE_INSTANCES),
 *    and the size of one idle instance's record.
 * 6. Group commit and pipelining: Hello5 throughput when every commit costs
 *    one fsync, with the defaults vs one channel record per batch and one
 *    commit in flight (memory backend only).
 * Each latency is also given as a multiple of one fsync of 4 KiB measured in
 * this run (the floor any durable commit pays on this machine). Each figure is
 * the median of REPEATS runs.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { activity } from "../runtime/api.ts";
import type { BackendSpec } from "../runtime/backends/index.ts";
import { createMemoryBackend } from "../runtime/backends/memory/index.ts";
import { startHost } from "../runtime/host.ts";
import { fanOut, idle, longLoop, sequence } from "./runtime-machines.ts";

const quick = process.argv.includes("--quick");
const backendArg = process.argv.includes("--backend") ? process.argv[process.argv.indexOf("--backend") + 1] : "memory";
/** Medians of 3: one outlier on a shared machine is dropped. */
const REPEATS = quick ? 1 : 3;
/** Enough samples for a p99 that is not just the maximum. */
const SEQUENTIAL_RUNS = quick ? 100 : 300;
const THROUGHPUT_INSTANCES = quick ? 2_000 : 10_000;
const LONG_LOOP_STEPS = quick ? 10_000 : 100_000;
/** Ticks timed per resume measurement. */
const RESUME_SAMPLES = 30;
const IDLE_INSTANCES = quick ? 2_000 : 10_000;
const PARTITIONS = 4;
/** Instances for the group-commit comparison: the unbatched baseline pays ~6 fsyncs per instance, so it gets fewer. */
const GROUP_INSTANCES = quick ? 500 : 2_000;
const GROUP_BASELINE_INSTANCES = quick ? 50 : 100;

const greet = activity("greet", async (name: string) => `Hello ${name}!`);
const noop = activity("noop", async (n: number) => n);
const hello3 = sequence("hello3", "greet", 3);
const hello5 = sequence("hello5", "greet", 5);
const fan100 = fanOut("fan100", "noop", 100);
const loop = longLoop("loop", "noop");
const idler = idle("idler");
const app = [greet, noop, hello3, hello5, fan100, loop, idler];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function fsyncMs(): number {
  const dir = mkdtempSync(join(tmpdir(), "nwc-fsync-"));
  const fd = openSync(join(dir, "f"), "w");
  const buf = Buffer.alloc(4096, 1);
  const samples: number[] = [];
  for (let i = 0; i < 50; i++) {
    writeSync(fd, buf);
    const t = performance.now();
    fsyncSync(fd);
    samples.push(performance.now() - t);
  }
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  return median(samples);
}

let dirs: string[] = [];
function backend(): BackendSpec {
  if (backendArg === "memory") return "memory";
  const dir = mkdtempSync(join(tmpdir(), "nwc-bench-"));
  dirs.push(dir);
  return { kind: "local", dir };
}

async function newHost() {
  return startHost({ app, backend: backend(), partitions: PARTITIONS, log: () => undefined, partitionOptions: { cacheSize: 200_000 } });
}

/**
 * Group commit and pipelining, isolated: the memory store made to pay one
 * fsync (measured above) per commit; Hello5 throughput with the defaults vs
 * one message per batch and one commit in flight (no group commit, no
 * pipelining), same run, same machine.
 */
async function groupCommitGain(fsync: number): Promise<{ grouped: number; single: number }> {
  const run = async (n: number, partitionOptions: Record<string, number>) => {
    const mem = createMemoryBackend({ partitions: PARTITIONS });
    mem.store.commitLatencyMs = fsync;
    const host = await startHost({ app, backend: mem, partitions: PARTITIONS, log: () => undefined, partitionOptions });
    const t = performance.now();
    const ids = await Promise.all(Array.from({ length: n }, (_, i) => host.client.start(hello5, null, { instanceId: `g-${i}` })));
    await Promise.all(ids.map((id) => host.client.wait(id, { timeoutMs: 600_000 })));
    const perSecond = n / ((performance.now() - t) / 1000);
    await host.stop();
    await mem.close();
    return perSecond;
  };
  return {
    grouped: await run(GROUP_INSTANCES, {}),
    single: await run(GROUP_BASELINE_INSTANCES, { maxBatchRecords: 1, maxPipelinedBatches: 1 }),
  };
}

async function hello3Latency(): Promise<{ p50: number; p99: number }> {
  const host = await newHost();
  const samples: number[] = [];
  for (let i = 0; i < SEQUENTIAL_RUNS + 10; i++) {
    const t = performance.now();
    const id = await host.client.start(hello3, null);
    await host.client.wait(id, { timeoutMs: 30_000 });
    if (i >= 10) samples.push(performance.now() - t); // the first runs warm up the JIT
  }
  await host.stop();
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function hello5Throughput(): Promise<number> {
  const host = await newHost();
  const t = performance.now();
  const ids = await Promise.all(Array.from({ length: THROUGHPUT_INSTANCES }, (_, i) => host.client.start(hello5, null, { instanceId: `h5-${i}` })));
  await Promise.all(ids.map((id) => host.client.wait(id, { timeoutMs: 600_000 })));
  const seconds = (performance.now() - t) / 1000;
  await host.stop();
  return THROUGHPUT_INSTANCES / seconds;
}

async function fanOutWall(): Promise<number> {
  const host = await newHost();
  await host.client.wait(await host.client.start(fan100, null), { timeoutMs: 30_000 }); // warm-up
  const t = performance.now();
  const s = await host.client.wait(await host.client.start(fan100, null), { timeoutMs: 30_000 });
  const ms = performance.now() - t;
  if (s.output !== 4950) throw new Error(`fan-out gave ${s.output}`);
  await host.stop();
  return ms;
}

async function resumeCost(target: number): Promise<number> {
  const host = await newHost();
  const id = await host.client.start(loop, { target });
  for (;;) {
    const s = await host.client.status(id);
    if (s && s.updatedAt && (await isWaiting(host, id, target))) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const samples: number[] = [];
  for (let k = 1; k <= RESUME_SAMPLES; k++) {
    const t = performance.now();
    await host.client.raise(id, "tick", k);
    for (;;) {
      const s = await host.client.status(id);
      if (s?.customStatus === target + k) break;
      await new Promise((r) => setImmediate(r));
    }
    samples.push(performance.now() - t);
  }
  await host.stop();
  return median(samples);
}

async function isWaiting(host: Awaited<ReturnType<typeof newHost>>, id: string, target: number): Promise<boolean> {
  // The loop has reached `target` once the raise of tick 0 would be its next wake: probe via the partition's step count.
  const steps = host.partitions.reduce((n, p) => n + (p?.stats.steps ?? 0), 0);
  return steps >= target + 1;
}

async function idleMemory(): Promise<{ bytesPerInstance: number; recordBytes: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc");
  const host = await newHost();
  gc();
  const before = process.memoryUsage().heapUsed;
  await Promise.all(Array.from({ length: IDLE_INSTANCES }, (_, i) => host.client.start(idler, null, { instanceId: `idle-${i}` })));
  gc();
  const after = process.memoryUsage().heapUsed;
  const status = await host.client.status("idle-0");
  if (status?.status !== "Running") throw new Error("idle instance not running");
  const { partitionOfInstance } = await import("../runtime/partitions/hash.ts");
  const { readCommittedObject } = await import("../runtime/inspect.ts");
  const rec = await readCommittedObject(host.backend.store, partitionOfInstance("idle-0", PARTITIONS), "inst:idle-0");
  await host.stop();
  return { bytesPerInstance: (after - before) / IDLE_INSTANCES, recordBytes: JSON.stringify(rec).length };
}

async function repeat<T>(f: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < REPEATS; i++) out.push(await f());
  return out;
}

const fsync = fsyncMs();
const h3 = await repeat(hello3Latency);
const h5 = await repeat(hello5Throughput);
const fan = await repeat(fanOutWall);
const resumeSmall = await repeat(() => resumeCost(10));
const resumeLarge = await repeat(() => resumeCost(LONG_LOOP_STEPS));
const mem = await repeat(idleMemory);
const group = backendArg === "memory" ? await repeat(() => groupCommitGain(fsync)) : [];
for (const d of dirs) rmSync(d, { recursive: true, force: true });

const p50 = median(h3.map((x) => x.p50));
const p99 = median(h3.map((x) => x.p99));
const fanMs = median(fan);
const rs = median(resumeSmall);
const rl = median(resumeLarge);
const rows: [string, string, string][] = [
  ["fsync of 4 KiB (baseline)", `${fsync.toFixed(3)} ms`, "1x"],
  ["Hello3 latency p50 (sequential)", `${p50.toFixed(2)} ms`, `${(p50 / fsync).toFixed(1)}x fsync`],
  ["Hello3 latency p99 (sequential)", `${p99.toFixed(2)} ms`, `${(p99 / fsync).toFixed(1)}x fsync`],
  [`Hello5 throughput (${THROUGHPUT_INSTANCES} at once)`, `${median(h5).toFixed(0)} orch/s`, ""],
  ["Fan-out of 100 wall time", `${fanMs.toFixed(1)} ms`, `${(fanMs / fsync).toFixed(1)}x fsync`],
  ["Resume at step 10", `${rs.toFixed(2)} ms`, `${(rs / fsync).toFixed(1)}x fsync`],
  [`Resume at step ${LONG_LOOP_STEPS}`, `${rl.toFixed(2)} ms`, `${(rl / rs).toFixed(2)}x step 10`],
  ...(group.length
    ? ([
        ["Hello5 orch/s, commit = 1 fsync, group commit", `${median(group.map((g) => g.grouped)).toFixed(0)} orch/s`, `${(median(group.map((g) => g.grouped)) / median(group.map((g) => g.single))).toFixed(1)}x unbatched`],
        ["Hello5 orch/s, commit = 1 fsync, 1 record/batch, no pipelining", `${median(group.map((g) => g.single)).toFixed(0)} orch/s`, "1x"],
      ] as [string, string, string][])
    : []),
  [`Memory per idle instance (${IDLE_INSTANCES})`, `${median(mem.map((m) => m.bytesPerInstance)).toFixed(0)} B heap`, `record ${mem[0].recordBytes} B`],
];
console.log(`\nnwc runtime benchmarks: backend ${backendArg}, ${PARTITIONS} partitions, median of ${REPEATS} run(s)${quick ? " (quick)" : ""}\n`);
const w0 = Math.max(...rows.map((r) => r[0].length));
const w1 = Math.max(...rows.map((r) => r[1].length));
console.log(`| ${"measure".padEnd(w0)} | ${"value".padEnd(w1)} | relative |`);
console.log(`|${"-".repeat(w0 + 2)}|${"-".repeat(w1 + 2)}|----------|`);
for (const [a, b, c] of rows) console.log(`| ${a.padEnd(w0)} | ${b.padEnd(w1)} | ${c} |`);
