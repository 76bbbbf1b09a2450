/**
 * Runtime benchmarks, one table for the `memory` and `local` backends.
 * Run: node --expose-gc --conditions=source --import tsx bench/runtime.ts [--quick] [--backend memory|local|both] [--repeats N]
 *
 * 1. Hello3 latency: one instance of a 3-activity sequence at a time, start
 *    to observed completion; p50 and p99 over SEQUENTIAL_RUNS.
 * 2. Hello5 throughput: THROUGHPUT_INSTANCES 5-activity sequences started at
 *    once; instances completed per second.
 * 3. Fan-out of 100: wall time of one instance calling 100 activities in parallel.
 * 4. Resume cost: ONE long loop, timed at step 10 and again at step
 *    LONG_LOOP_STEPS: the time of one more step (event -> step -> commit ->
 *    status). The ratio is the point of compiled frames: ~1 (no replay).
 * 5. Memory per idle instance: heap growth per waiting instance (IDLE_INSTANCES),
 *    and the size of one idle instance's record.
 * 6. Group commit and pipelining (memory only): Hello5 throughput when every
 *    commit costs one fsync, with the defaults vs one channel record per
 *    batch and one commit in flight.
 * Every latency is also given as a multiple of one fsync (bench/fsync.ts: a
 * small append + fsync in the temp directory the local backend uses)
 * measured in the same run, before each repeat: the floor any durable commit
 * pays on this disk. Each figure is the median of REPEATS runs (the fsync is
 * the median of its per-repeat medians).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { activity } from "../runtime/api.ts";
import type { BackendSpec } from "../runtime/backends/index.ts";
import { createMemoryBackend } from "../runtime/backends/memory/index.ts";
import { startHost, type Host } from "../runtime/host.ts";
import { measureFsync } from "./fsync.ts";
import { fanOut, idle, longLoop, sequence } from "./runtime-machines.ts";

type BackendName = "memory" | "local";

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes("--quick");
const backendArg = flag("--backend") ?? "both";
if (!["memory", "local", "both"].includes(backendArg)) throw new Error(`--backend must be memory, local or both, got ${backendArg}`);
const BACKENDS: BackendName[] = backendArg === "both" ? ["memory", "local"] : [backendArg as BackendName];
/** Medians of 5: two outliers on a shared machine are dropped. */
const REPEATS = Number(flag("--repeats") ?? (quick ? 1 : 5));
/** Enough samples for a p99 that is not just the maximum. */
const SEQUENTIAL_RUNS = quick ? 100 : 300;
const THROUGHPUT_INSTANCES = quick ? 2_000 : 10_000;
const LONG_LOOP_STEPS = quick ? 10_000 : 100_000;
const SHORT_LOOP_STEPS = 10;
/** Ticks timed per resume measurement (one repeat). */
const RESUME_SAMPLES = 200;
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
  return s[Math.floor(s.length / 2)]!;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const dirs: string[] = [];
function spec(backend: BackendName): BackendSpec {
  if (backend === "memory") return "memory";
  const dir = mkdtempSync(join(tmpdir(), "nwc-bench-"));
  dirs.push(dir);
  return { kind: "local", dir };
}

async function newHost(backend: BackendName): Promise<Host> {
  return startHost({ app, backend: spec(backend), partitions: PARTITIONS, log: () => undefined, partitionOptions: { cacheSize: 200_000 } });
}

async function hello3Latency(backend: BackendName): Promise<{ p50: number; p99: number }> {
  const host = await newHost(backend);
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

async function hello5Throughput(backend: BackendName): Promise<number> {
  const host = await newHost(backend);
  const t = performance.now();
  const ids = await Promise.all(Array.from({ length: THROUGHPUT_INSTANCES }, (_, i) => host.client.start(hello5, null, { instanceId: `h5-${i}` })));
  await Promise.all(ids.map((id) => host.client.wait(id, { timeoutMs: 600_000 })));
  const seconds = (performance.now() - t) / 1000;
  await host.stop();
  return THROUGHPUT_INSTANCES / seconds;
}

async function fanOutWall(backend: BackendName): Promise<number> {
  const host = await newHost(backend);
  await host.client.wait(await host.client.start(fan100, null), { timeoutMs: 30_000 }); // warm-up
  const t = performance.now();
  const s = await host.client.wait(await host.client.start(fan100, null), { timeoutMs: 30_000 });
  const ms = performance.now() - t;
  if (s.output !== 4950) throw new Error(`fan-out gave ${s.output}`);
  await host.stop();
  return ms;
}

/**
 * One long loop per backend: it runs SHORT_LOOP_STEPS steps, is timed
 * (REPEATS rounds of RESUME_SAMPLES ticks), runs on to LONG_LOOP_STEPS, and
 * is timed again the same way. Returns the per-round medians at each point.
 */
async function resumeCost(backend: BackendName): Promise<{ short: number[]; long: number[] }> {
  const host = await newHost(backend);
  const id = await host.client.start(loop, { target: SHORT_LOOP_STEPS });
  let status = 0; // ticks counted by the loop so far (its custom status is steps + ticks)
  const tick = async (data: unknown, expect: number) => {
    const t = performance.now();
    await host.client.raise(id, "tick", data);
    for (;;) {
      const s = await host.client.status(id);
      if (s?.customStatus === expect) break;
      await new Promise((r) => setImmediate(r));
    }
    return performance.now() - t;
  };
  const rounds = async (): Promise<number[]> => {
    const out: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const samples: number[] = [];
      for (let k = 0; k < RESUME_SAMPLES; k++) samples.push(await tick(k, ++status + steps));
      out.push(median(samples));
    }
    return out;
  };
  let steps = SHORT_LOOP_STEPS;
  // The loop waits for its first tick after its first step and SHORT_LOOP_STEPS activity steps.
  await waitForSteps(host, SHORT_LOOP_STEPS + 1);
  const short = await rounds();
  // Extending is a tick's wake that the status does not count; then LONG - SHORT more activity steps.
  const before = stepsRun(host);
  await host.client.raise(id, "tick", { extendTo: LONG_LOOP_STEPS });
  steps = LONG_LOOP_STEPS;
  await waitForSteps(host, before + 1 + (LONG_LOOP_STEPS - SHORT_LOOP_STEPS));
  await tick(-1, ++status + steps); // untimed: the first tick after the long run warms up again
  const long = await rounds();
  await host.stop();
  return { short, long };
}

function stepsRun(host: Host): number {
  return host.partitions.reduce((n, p) => n + (p?.stats.steps ?? 0), 0);
}

/** Waits until the partitions together ran `steps` steps (the loop is the only instance of its host). */
async function waitForSteps(host: Host, steps: number): Promise<void> {
  while (stepsRun(host) < steps) await new Promise((r) => setTimeout(r, 20));
}

async function idleMemory(backend: BackendName): Promise<{ bytesPerInstance: number; recordBytes: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc");
  const host = await newHost(backend);
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

/**
 * Group commit and pipelining, isolated: the memory store made to pay one
 * fsync (measured in this run) per commit; Hello5 throughput with the
 * defaults vs one message per batch and one commit in flight.
 */
async function groupCommitGain(fsyncMs: number): Promise<{ grouped: number; single: number }> {
  const run = async (n: number, partitionOptions: Record<string, number>) => {
    const mem = createMemoryBackend({ partitions: PARTITIONS });
    mem.store.commitLatencyMs = fsyncMs;
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

interface Figures {
  fsync: number;
  p50: number;
  p99: number;
  hello5: number;
  fan: number;
  resumeShort: number;
  resumeLong: number;
  idleBytes: number;
  recordBytes: number;
  group?: { grouped: number; single: number };
}

function fsyncNow(): number {
  return measureFsync({ dir: tmpdir() }).medianMs;
}

async function measure(backend: BackendName): Promise<Figures> {
  const fsyncs: number[] = [];
  const h3: { p50: number; p99: number }[] = [];
  const h5: number[] = [];
  const fan: number[] = [];
  const mem: { bytesPerInstance: number; recordBytes: number }[] = [];
  const group: { grouped: number; single: number }[] = [];
  for (let r = 0; r < REPEATS; r++) {
    fsyncs.push(fsyncNow());
    h3.push(await hello3Latency(backend));
    h5.push(await hello5Throughput(backend));
    fan.push(await fanOutWall(backend));
    mem.push(await idleMemory(backend));
    if (backend === "memory") group.push(await groupCommitGain(fsyncs[r]!));
    process.stderr.write(`${backend}: repeat ${r + 1}/${REPEATS} done\n`);
  }
  const resume = await resumeCost(backend);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  return {
    fsync: median(fsyncs),
    p50: median(h3.map((x) => x.p50)),
    p99: median(h3.map((x) => x.p99)),
    hello5: median(h5),
    fan: median(fan),
    resumeShort: median(resume.short),
    resumeLong: median(resume.long),
    idleBytes: median(mem.map((m) => m.bytesPerInstance)),
    recordBytes: mem[0]!.recordBytes,
    group: group.length ? { grouped: median(group.map((g) => g.grouped)), single: median(group.map((g) => g.single)) } : undefined,
  };
}

const results = new Map<BackendName, Figures>();
for (const b of BACKENDS) results.set(b, await measure(b));

const ms = (x: number, digits = 2) => `${x.toFixed(digits)} ms`;
const xf = (x: number, f: Figures) => `${(x / f.fsync).toFixed(1)}x fsync`;
const rows: [string, (f: Figures) => string][] = [
  ["fsync of a small append (baseline)", (f) => ms(f.fsync, 3)],
  ["Hello3 latency p50 (sequential)", (f) => `${ms(f.p50)} = ${xf(f.p50, f)}`],
  ["Hello3 latency p99 (sequential)", (f) => `${ms(f.p99)} = ${xf(f.p99, f)}`],
  [`Hello5 throughput (${THROUGHPUT_INSTANCES.toLocaleString("en-US")} started at once)`, (f) => `${Math.round(f.hello5).toLocaleString("en-US")} orch/s`],
  ["Fan-out of 100, wall time", (f) => `${ms(f.fan, 1)} = ${xf(f.fan, f)}`],
  [`Resume at step ${SHORT_LOOP_STEPS} (event -> step -> commit -> status)`, (f) => `${ms(f.resumeShort)} = ${xf(f.resumeShort, f)}`],
  [`Resume at step ${LONG_LOOP_STEPS.toLocaleString("en-US")}, same instance`, (f) => `${ms(f.resumeLong)} = ${xf(f.resumeLong, f)}`],
  [`Resume ratio, step ${LONG_LOOP_STEPS.toLocaleString("en-US")} / step ${SHORT_LOOP_STEPS}`, (f) => `${(f.resumeLong / f.resumeShort).toFixed(2)}`],
  [`Memory per idle instance (${IDLE_INSTANCES.toLocaleString("en-US")} waiting)`, (f) => `${Math.round(f.idleBytes).toLocaleString("en-US")} B heap, record ${f.recordBytes} B`],
  ["Hello5, commit = 1 fsync, group commit + pipelining", (f) => (f.group ? `${Math.round(f.group.grouped).toLocaleString("en-US")} orch/s = ${(f.group.grouped / f.group.single).toFixed(1)}x unbatched` : "-")],
  ["Hello5, commit = 1 fsync, 1 record/batch, no pipelining", (f) => (f.group ? `${Math.round(f.group.single).toLocaleString("en-US")} orch/s` : "-")],
];

console.log(`\nnwc runtime benchmarks: ${PARTITIONS} partitions, median of ${REPEATS} run(s)${quick ? " (quick)" : ""}, node ${process.version}\n`);
const header = ["measure", ...BACKENDS];
const table = [header, ...rows.map(([name, f]) => [name, ...BACKENDS.map((b) => f(results.get(b)!))])];
const widths = header.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of table.slice(1)) console.log(line(r));
