/**
 * Runtime benchmarks, one table per backend (`memory`, `local`); every row
 * gives the compiled orchestrations of bench/runtime-app.ts (compiled by
 * nwc's compiler at start, as users run them), the hand-written machines of
 * bench/runtime-machines.ts (the floor: the least a machine can do), and
 * compiled / hand-written of the two figures, measured in the same run.
 * Run: node --expose-gc --conditions=source --import tsx bench/runtime.ts [--quick] [--backend memory|local|both] [--repeats N] [--only hello5|hello3] [--history-pairs N]
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
 * 7. The cost of the per-instance history: Hello5 with the history on (the
 *    default) and off (historyLimit 0), back to back, HISTORY_PAIRS times in
 *    each repeat, in an order that alternates; throughput and process CPU
 *    time per instance (the steadier figure on a shared machine), and the
 *    ratios: each the median of the pairs' own ratios (a pair that ran back
 *    to back shares the machine's load of the moment), printed with their
 *    range.
 *    `--only hello5` measures Hello5 (on and off) alone.
 * 8. With both backends: what a durable commit adds to Hello3 p50, local
 *    minus memory, in fsyncs of the run (`--only hello3` measures only the
 *    Hello3 rows).
 * Every latency is also given as a multiple of one fsync (bench/fsync.ts: a
 * small append + fsync in the temp directory the local backend uses)
 * measured in the same run, before each repeat: the floor any durable commit
 * pays on this disk. Each figure is the median of REPEATS runs (the fsync is
 * the median of its per-repeat medians); each measurement runs the two
 * variants back to back, in an order that alternates between repeats, so
 * drift in the machine's load falls on both.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { BackendSpec } from "../runtime/backends/index.ts";
import { createMemoryBackend } from "../runtime/backends/memory/index.ts";
import { startHost, type Host } from "../runtime/host.ts";
import { measureFsync } from "./fsync.ts";
import { hello3Latency, hello5Throughput, median } from "./hello.ts";
import { printTable } from "./table.ts";
import { loadWorkloads, type VariantName, type Workloads } from "./workloads.ts";

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
/**
 * On/off pairs of Hello5 per repeat and variant. One pair's ratio spans 0.64-1.81 on this shared machine
 * (a 9-repeat run), so a median of 5 moved by more than the 10% it is compared with; 15 pairs (the
 * default 5 repeats) narrow it. `--history-pairs` sets it.
 */
const HISTORY_PAIRS = Number(flag("--history-pairs") ?? (quick ? 1 : 3));
const only = flag("--only");
if (only !== undefined && only !== "hello5" && only !== "hello3") throw new Error(`--only takes hello5 or hello3, got ${only}`);
const hello5Only = only === "hello5";
const hello3Only = only === "hello3";
/** Enough samples for a p99 that is not just the maximum. */
const SEQUENTIAL_RUNS = quick ? 100 : 300;
const THROUGHPUT_INSTANCES = quick ? 2_000 : 10_000;
/** Hello5 instances of each untimed warm-up run (warmUp). */
const WARMUP_INSTANCES = quick ? 500 : 2_000;
const LONG_LOOP_STEPS = quick ? 10_000 : 100_000;
const SHORT_LOOP_STEPS = 10;
/** Ticks timed per resume measurement (one repeat). */
const RESUME_SAMPLES = 200;
const IDLE_INSTANCES = quick ? 2_000 : 10_000;
const PARTITIONS = 4;
/** Instances for the group-commit comparison: the unbatched baseline pays ~6 fsyncs per instance, so it gets fewer. */
const GROUP_INSTANCES = quick ? 500 : 2_000;
const GROUP_BASELINE_INSTANCES = quick ? 50 : 100;

const VARIANTS: VariantName[] = ["compiled", "hand-written"];
const workloads = await loadWorkloads();

const dirs: string[] = [];
function spec(backend: BackendName): BackendSpec {
  if (backend === "memory") return "memory";
  const dir = mkdtempSync(join(tmpdir(), "nwc-bench-"));
  dirs.push(dir);
  return { kind: "local", dir };
}

async function newHost(backend: BackendName, w: Workloads, historyLimit?: number): Promise<Host> {
  const partitionOptions = { cacheSize: 200_000, ...(historyLimit !== undefined ? { historyLimit } : {}) };
  return startHost({ app: w.app, backend: spec(backend), partitions: PARTITIONS, log: () => undefined, partitionOptions });
}

/** Starts a fresh host (with the history on unless `historyLimit` is 0), runs `body` on it, stops it. */
async function onHost<T>(backend: BackendName, w: Workloads, body: (host: Host) => Promise<T>, historyLimit?: number): Promise<T> {
  const host = await newHost(backend, w, historyLimit);
  try {
    return await body(host);
  } finally {
    await host.stop();
  }
}

/**
 * Hello5 throughput, and the process's CPU time per instance meanwhile (every thread: the local store's fsyncs too).
 * No forced collection first: measured, it made every run 15-20% dearer (the heap then starts small and grows
 * again during the run), which a host that has been running does not pay.
 */
async function hello5WithCpu(host: Host, w: Workloads): Promise<{ perSecond: number; cpuUs: number }> {
  const before = process.cpuUsage();
  const perSecond = await hello5Throughput(host, w.hello5, THROUGHPUT_INSTANCES);
  const cpu = process.cpuUsage(before);
  return { perSecond, cpuUs: (cpu.user + cpu.system) / THROUGHPUT_INSTANCES };
}

async function fanOutWall(host: Host, w: Workloads): Promise<number> {
  await host.client.wait(await host.client.start(w.fan100, null), { timeoutMs: 30_000 }); // warm-up
  const t = performance.now();
  const s = await host.client.wait(await host.client.start(w.fan100, null), { timeoutMs: 30_000 });
  const ms = performance.now() - t;
  if (s.output !== 4950) throw new Error(`fan-out gave ${s.output}`);
  return ms;
}

/**
 * One long loop per backend: it runs SHORT_LOOP_STEPS steps, is timed
 * (REPEATS rounds of RESUME_SAMPLES ticks), runs on to LONG_LOOP_STEPS, and
 * is timed again the same way. Returns the per-round medians at each point.
 */
async function resumeCost(host: Host, w: Workloads): Promise<{ short: number[]; long: number[] }> {
  const id = await host.client.start(w.loop, { target: SHORT_LOOP_STEPS });
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
  return { short, long };
}

function stepsRun(host: Host): number {
  return host.partitions.reduce((n, p) => n + (p?.stats.steps ?? 0), 0);
}

/** Waits until the partitions together ran `steps` steps (the loop is the only instance of its host). */
async function waitForSteps(host: Host, steps: number): Promise<void> {
  while (stepsRun(host) < steps) await new Promise((r) => setTimeout(r, 20));
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc");
  gc();
}

async function idleMemory(backend: BackendName, w: Workloads): Promise<{ bytesPerInstance: number; recordBytes: number }> {
  return onHost(backend, w, async (host) => {
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    await Promise.all(Array.from({ length: IDLE_INSTANCES }, (_, i) => host.client.start(w.idler, null, { instanceId: `idle-${i}` })));
    collectGarbage();
    const after = process.memoryUsage().heapUsed;
    const status = await host.client.status("idle-0");
    if (status?.status !== "Running") throw new Error("idle instance not running");
    const { partitionOfInstance } = await import("../runtime/partitions/hash.ts");
    const { readCommittedObject } = await import("../runtime/inspect.ts");
    const rec = await readCommittedObject(host.backend.store, partitionOfInstance("idle-0", PARTITIONS), "inst:idle-0");
    return { bytesPerInstance: (after - before) / IDLE_INSTANCES, recordBytes: JSON.stringify(rec).length };
  });
}

/**
 * Group commit and pipelining, isolated: the memory store made to pay one
 * fsync (measured in this run) per commit; Hello5 throughput with the
 * defaults vs one message per batch and one commit in flight.
 */
async function groupCommitGain(fsyncMs: number, w: Workloads): Promise<{ grouped: number; single: number }> {
  const run = async (n: number, partitionOptions: Record<string, number>) => {
    const mem = createMemoryBackend({ partitions: PARTITIONS });
    mem.store.commitLatencyMs = fsyncMs;
    const host = await startHost({ app: w.app, backend: mem, partitions: PARTITIONS, log: () => undefined, partitionOptions });
    const perSecond = await hello5Throughput(host, w.hello5, n, "g");
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
  p50?: number;
  p99?: number;
  hello5: number;
  /** Hello5 with the history off (historyLimit 0). */
  hello5NoHistory: number;
  /** Process CPU time (user + system) per Hello5 instance, history on and off: steadier than throughput on a shared machine. */
  hello5CpuUs: number;
  hello5NoHistoryCpuUs: number;
  /** History on / off, per pair (the two ran back to back), CPU and throughput: their median is the cost's figure. */
  historyCpuRatios: number[];
  historyThroughputRatios: number[];
  fan?: number;
  resumeShort?: number;
  resumeLong?: number;
  idleBytes?: number;
  recordBytes?: number;
  group?: { grouped: number; single: number };
}

/** The figures of one repeat of one variant (all but the resume cost). */
type Repeat = Omit<Figures, "resumeShort" | "resumeLong">;

function fsyncNow(): number {
  return measureFsync({ dir: tmpdir() }).medianMs;
}

/** One repeat of every measurement but the resume cost; each measurement runs for both variants in `order` before the next starts. */
async function repeatOnce(backend: BackendName, order: VariantName[], fsyncMs: number): Promise<Record<VariantName, Repeat>> {
  const both = async <T>(run: (w: Workloads) => Promise<T>) => {
    const out = {} as Record<VariantName, T>;
    for (const v of order) out[v] = await run(workloads[v]);
    return out;
  };
  if (hello3Only) {
    const h3 = await both((w) => onHost(backend, w, (host) => hello3Latency(host, w.hello3, SEQUENTIAL_RUNS)));
    const repeat = (v: VariantName): Repeat => ({ ...h3[v], hello5: NaN, hello5NoHistory: NaN, hello5CpuUs: NaN, hello5NoHistoryCpuUs: NaN, historyCpuRatios: [], historyThroughputRatios: [] });
    return { compiled: repeat("compiled"), "hand-written": repeat("hand-written") };
  }
  // History on and off back to back, in an order that alternates from pair to pair and repeat to repeat, so drift falls on both.
  type Run = { perSecond: number; cpuUs: number };
  const pairs: Record<VariantName, { on: Run; off: Run }[]> = { compiled: [], "hand-written": [] };
  for (let k = 0; k < HISTORY_PAIRS; k++) {
    for (const v of order) {
      const pair = {} as { on: Run; off: Run };
      const offFirst = (order[0] === "compiled") === (k % 2 === 1);
      for (const off of offFirst ? [true, false] : [false, true]) {
        pair[off ? "off" : "on"] = await onHost(backend, workloads[v], (host) => hello5WithCpu(host, workloads[v]), off ? 0 : undefined);
      }
      pairs[v].push(pair);
    }
  }
  const hello5Of = (v: VariantName) => {
    const m = (f: (p: { on: Run; off: Run }) => number) => median(pairs[v].map(f));
    return {
      hello5: m((p) => p.on.perSecond),
      hello5NoHistory: m((p) => p.off.perSecond),
      hello5CpuUs: m((p) => p.on.cpuUs),
      hello5NoHistoryCpuUs: m((p) => p.off.cpuUs),
      historyCpuRatios: pairs[v].map((p) => p.on.cpuUs / p.off.cpuUs),
      historyThroughputRatios: pairs[v].map((p) => p.off.perSecond / p.on.perSecond),
    };
  };
  if (hello5Only) {
    const repeat = (v: VariantName): Repeat => hello5Of(v);
    return { compiled: repeat("compiled"), "hand-written": repeat("hand-written") };
  }
  const h3 = await both((w) => onHost(backend, w, (host) => hello3Latency(host, w.hello3, SEQUENTIAL_RUNS)));
  const fan = await both((w) => onHost(backend, w, (host) => fanOutWall(host, w)));
  const mem = await both((w) => idleMemory(backend, w));
  const group = await both(async (w) => (backend === "memory" ? groupCommitGain(fsyncMs, w) : undefined));
  const repeat = (v: VariantName): Repeat => ({
    ...h3[v], ...hello5Of(v), fan: fan[v], idleBytes: mem[v].bytesPerInstance, recordBytes: mem[v].recordBytes, group: group[v],
  });
  return { compiled: repeat("compiled"), "hand-written": repeat("hand-written") };
}

/** Medians over the repeats, per field. */
function medians(reps: Repeat[], resume: { short: number[]; long: number[] } | undefined): Figures {
  const m = (f: (r: Repeat) => number | undefined) => (f(reps[0]!) === undefined ? undefined : median(reps.map((r) => f(r)!)));
  const groups = reps.flatMap((r) => (r.group ? [r.group] : []));
  return {
    p50: m((r) => r.p50),
    p99: m((r) => r.p99),
    hello5: m((r) => r.hello5)!,
    hello5NoHistory: m((r) => r.hello5NoHistory)!,
    hello5CpuUs: m((r) => r.hello5CpuUs)!,
    hello5NoHistoryCpuUs: m((r) => r.hello5NoHistoryCpuUs)!,
    historyCpuRatios: reps.flatMap((r) => r.historyCpuRatios),
    historyThroughputRatios: reps.flatMap((r) => r.historyThroughputRatios),
    fan: m((r) => r.fan),
    resumeShort: resume && median(resume.short),
    resumeLong: resume && median(resume.long),
    idleBytes: m((r) => r.idleBytes),
    recordBytes: reps[0]!.recordBytes,
    group: groups.length ? { grouped: median(groups.map((g) => g.grouped)), single: median(groups.map((g) => g.single)) } : undefined,
  };
}

/**
 * One untimed Hello5 round per variant, history on and off, before the first repeat: otherwise the first
 * repeat's first runs also measure V8 compiling the code they run (measured: the first 10,000 compiled Hello5
 * of a process on memory cost 395-445 us of CPU per instance, the next ones 286-332), which skews that repeat's
 * ratios against whichever variant ran first.
 */
async function warmUp(backend: BackendName): Promise<void> {
  for (const v of VARIANTS) {
    for (const historyLimit of [undefined, 0]) {
      await onHost(backend, workloads[v], (host) => hello5Throughput(host, workloads[v].hello5, WARMUP_INSTANCES, "warm"), historyLimit);
    }
  }
}

async function measure(backend: BackendName): Promise<{ fsync: number; figures: Record<VariantName, Figures> }> {
  const fsyncs: number[] = [];
  const reps: Record<VariantName, Repeat[]> = { compiled: [], "hand-written": [] };
  if (!hello3Only) await warmUp(backend);
  for (let r = 0; r < REPEATS; r++) {
    fsyncs.push(fsyncNow());
    const one = await repeatOnce(backend, r % 2 === 0 ? VARIANTS : [...VARIANTS].reverse(), fsyncs[r]!);
    for (const v of VARIANTS) reps[v].push(one[v]);
    process.stderr.write(`${backend}: repeat ${r + 1}/${REPEATS} done\n`);
  }
  const figures = {} as Record<VariantName, Figures>;
  for (const v of VARIANTS) {
    const resume = hello5Only || hello3Only ? undefined : await onHost(backend, workloads[v], (host) => resumeCost(host, workloads[v]));
    figures[v] = medians(reps[v], resume);
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  return { fsync: median(fsyncs), fsyncs, figures };
}

const results = new Map<BackendName, Awaited<ReturnType<typeof measure>>>();
for (const b of BACKENDS) results.set(b, await measure(b));

const count = (x: number) => Math.round(x).toLocaleString("en-US");
/** The range of per-repeat figures behind a median: on a shared machine, how far one repeat is from the next. */
const spread = (xs: number[]) => (xs.length > 1 ? `(${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})` : "");
/** A row: its label, the figure it compares (undefined: not measured here), and how a figure is printed. */
type Row = [label: string, value: (f: Figures) => number | undefined, show: (x: number, f: Figures, fsync: number) => string];
const latency = (digits: number) => (x: number, _f: Figures, fsync: number) => `${x.toFixed(digits)} ms = ${(x / fsync).toFixed(1)}x fsync`;
const rows: Row[] = [
  ["Hello3 latency p50 (sequential)", (f) => f.p50, latency(2)],
  ["Hello3 latency p99 (sequential)", (f) => f.p99, latency(2)],
  [`Hello5 throughput (${count(THROUGHPUT_INSTANCES)} started at once)`, (f) => f.hello5, (x) => `${count(x)} orch/s`],
  ["Hello5 throughput, history off (historyLimit 0)", (f) => f.hello5NoHistory, (x) => `${count(x)} orch/s`],
  ["Hello5 cost of the history: off / on throughput", (f) => median(f.historyThroughputRatios), (x, f) => `${x.toFixed(3)} ${spread(f.historyThroughputRatios)}`],
  ["Hello5 CPU per instance, history on", (f) => f.hello5CpuUs, (x) => `${count(x)} us`],
  ["Hello5 CPU per instance, history off", (f) => f.hello5NoHistoryCpuUs, (x) => `${count(x)} us`],
  ["Hello5 cost of the history: on / off CPU", (f) => median(f.historyCpuRatios), (x, f) => `${x.toFixed(3)} ${spread(f.historyCpuRatios)}`],
  ["Fan-out of 100, wall time", (f) => f.fan, latency(1)],
  [`Resume at step ${SHORT_LOOP_STEPS} (event -> step -> commit -> status)`, (f) => f.resumeShort, latency(2)],
  [`Resume at step ${count(LONG_LOOP_STEPS)}, same instance`, (f) => f.resumeLong, latency(2)],
  [`Resume ratio, step ${count(LONG_LOOP_STEPS)} / step ${SHORT_LOOP_STEPS}`, (f) => f.resumeLong && f.resumeShort && f.resumeLong / f.resumeShort, (x) => x.toFixed(2)],
  [`Memory per idle instance (${count(IDLE_INSTANCES)} waiting)`, (f) => f.idleBytes, (x, f) => `${count(x)} B heap, record ${f.recordBytes} B`],
  ["Hello5, commit = 1 fsync, group commit + pipelining", (f) => f.group?.grouped, (x, f) => `${count(x)} orch/s = ${(x / f.group!.single).toFixed(1)}x unbatched`],
  ["Hello5, commit = 1 fsync, 1 record/batch, no pipelining", (f) => f.group?.single, (x) => `${count(x)} orch/s`],
];

console.log(`\nnwc runtime benchmarks: ${PARTITIONS} partitions, median of ${REPEATS} run(s), the history's cost of ${REPEATS * HISTORY_PAIRS} on/off pairs${quick ? " (quick)" : ""}, node ${process.version}`);
for (const [backend, { fsync, figures }] of results) {
  console.log(`\n${backend}: fsync of a small append (baseline) ${fsync.toFixed(3)} ms\n`);
  const table = [["measure", "compiled", "hand-written", "compiled / hand-written"]];
  for (const [label, value, show] of rows) {
    const c = value(figures.compiled);
    const h = value(figures["hand-written"]);
    if (c === undefined || h === undefined || Number.isNaN(c)) continue;
    table.push([label, show(c, figures.compiled, fsync), show(h, figures["hand-written"], fsync), (c / h).toFixed(2)]);
  }
  printTable(table);
}

const memory = results.get("memory");
const local = results.get("local");
if (memory && local && memory.figures.compiled.p50 !== undefined && !hello5Only) {
  // The fsync of the whole run: the median of every repeat's, both backends.
  const fsync = median([...memory.fsyncs, ...local.fsyncs]);
  console.log(`\nHello3 p50, local - memory (what durable commits add), fsync of the run ${fsync.toFixed(3)} ms:\n`);
  const table = [["variant", "memory p50", "local p50", "local - memory", "in fsyncs"]];
  for (const v of VARIANTS) {
    const m = memory.figures[v].p50!;
    const l = local.figures[v].p50!;
    table.push([v, `${m.toFixed(2)} ms`, `${l.toFixed(2)} ms`, `${(l - m).toFixed(2)} ms`, ((l - m) / fsync).toFixed(1)]);
  }
  printTable(table);
}
