/**
 * The cost of the per-instance history in instructions, not time: Hello5
 * with the history on and off, each process run under valgrind's callgrind,
 * which counts the instructions the process executes whatever else the
 * machine is doing. On this shared machine the CPU time of one unchanged
 * Hello5 moves by 30% between runs minutes apart and one on/off pair's
 * ratio spans 0.8-1.6 (bench/runtime.ts prints it).
 *
 * The measured process (bench/history-instructions-run.ts) is made
 * repeatable: its partitions run on a virtual clock, V8's hash and random
 * seeds are fixed, V8 runs single-threaded with a predictable collector
 * schedule, and it is one bundle (the runtime's sources and the workload as
 * nwc's compiler compiles it, made here with esbuild), so no module loader
 * or compiler runs under valgrind. Two runs of one configuration and seed
 * side by side once agreed to a few parts in a hundred thousand, yet the
 * same seed moved by up to 6% between separate runs, so some work still
 * follows the wall clock. Each repeat uses another seed (the seed changes where hash
 * tables collide, which moves the counts by a few percent, as any change
 * to the code does): compare medians over several seeds, never one.
 *
 * Per configuration (variant x history), the count of a process that runs
 * only the warm-up is subtracted from one that also runs N instances: what
 * remains is N instances' work, with start-up, the compilation of the
 * warm-up's code and shutdown taken out. Two processes run at a time.
 *
 * Instructions are not time: a cache miss costs more than an add, and the
 * collector's work grows with the heap. This counts the work, and
 * bench/runtime.ts measures the time it takes.
 *
 * Needs valgrind (Debian: apt-get install -y valgrind).
 * Run: node --conditions=source --import tsx bench/history-instructions.ts [--quick] [--backend memory|local] [--repeats N] [--n N] [--only compiled|hand-written]
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { compileSource } from "../compiler/index.ts";
import { median } from "./hello.ts";
import { printTable } from "./table.ts";

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes("--quick");
const backend = flag("--backend") ?? "memory";
if (backend !== "memory" && backend !== "local") throw new Error(`--backend must be memory or local, got ${backend}`);
/** Three repeats, three seeds; each process takes one to two minutes under valgrind. */
const REPEATS = Number(flag("--repeats") ?? (quick ? 1 : 3));
const N = Number(flag("--n") ?? (quick ? 500 : 2_000));
const PARALLEL = 2;

const only = flag("--only");
if (only !== undefined && only !== "compiled" && only !== "hand-written") throw new Error(`--only must be compiled or hand-written, got ${only}`);
const VARIANTS = only ? [only] : (["compiled", "hand-written"] as const);
const HISTORY = ["on", "off"] as const;
const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
/** Under node_modules, so that the packages the bundle leaves out (the AWS SDK, ...) resolve as they do for the sources. */
const BUNDLE = join(ROOT, "node_modules", ".cache", "nwc-bench", "history-instructions-run.mjs");
/**
 * No background compiler or collector threads, and a heap that grows by fixed
 * rules instead of by measured allocation rates and idle times (V8's
 * defaults), which depend on the time valgrind stretches.
 */
const V8_FLAGS = ["--single-threaded", "--predictable-gc-schedule"];
const seedFlags = (seed: number) => [`--hash-seed=${seed}`, `--random-seed=${seed}`];

try {
  execFileSync("valgrind", ["--version"], { stdio: "ignore" });
} catch {
  console.error("bench/history-instructions.ts needs valgrind: apt-get install -y valgrind (as root)");
  process.exit(2);
}

/** Instructions the whole process executed (callgrind's "Collected" count). */
function instructions(seed: number, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("valgrind", ["--tool=callgrind", "--callgrind-out-file=/dev/null", "--smc-check=all", process.execPath, ...V8_FLAGS, ...seedFlags(seed), BUNDLE, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const m = /Collected : (\d+)/.exec(stderr);
      if (code !== 0 || !m) reject(new Error(`valgrind ${args.join(" ")} exited ${code}:\n${stderr.slice(-2000)}`));
      else resolve(Number(m[1]));
    });
  });
}

/**
 * The measured program as one file: the runner and the runtime from their
 * sources (`nwc` and `nwc/engine` too, by their "source" export condition),
 * the workload as nwc's compiler compiles it; other packages stay imports.
 */
async function bundleRunner(): Promise<void> {
  const appFile = join(BENCH_DIR, "runtime-app.ts");
  const compiled = compileSource(appFile, readFileSync(appFile, "utf8"));
  if (compiled.diagnostics.length > 0) throw new Error(`bench/runtime-app.ts does not compile: ${compiled.diagnostics.map((d) => d.message).join("; ")}`);
  const js = compiled.outputs.find((o) => /\.m?js$/.test(o.fileName))?.text;
  if (js === undefined) throw new Error("the compiler emitted no JavaScript for bench/runtime-app.ts");
  const plugin: Plugin = {
    name: "nwc-bench",
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (a) => (/^nwc(\/|$)/.test(a.path) ? undefined : { path: a.path, external: true }));
      b.onLoad({ filter: /[\\/]bench[\\/]runtime-app\.ts$/ }, () => ({ contents: js, loader: "js", resolveDir: BENCH_DIR }));
    },
  };
  mkdirSync(dirname(BUNDLE), { recursive: true });
  await build({ entryPoints: [join(BENCH_DIR, "history-instructions-run.ts")], bundle: true, platform: "node", format: "esm", target: "node20", outfile: BUNDLE, conditions: ["source"], plugins: [plugin], logLevel: "warning" });
}

/** Runs the jobs PARALLEL at a time, in order. */
async function runAll<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return out;
}

await bundleRunner();
// Once without valgrind: a bundle that does not run fails here in seconds, not after minutes.
execFileSync(process.execPath, [...V8_FLAGS, BUNDLE, "compiled", "on", "10", backend], { stdio: "inherit" });

interface Job { variant: (typeof VARIANTS)[number]; history: (typeof HISTORY)[number]; n: number; repeat: number }
const jobs: Job[] = [];
for (let repeat = 0; repeat < REPEATS; repeat++) {
  for (const variant of VARIANTS) for (const history of HISTORY) for (const n of [0, N]) jobs.push({ variant, history, n, repeat });
}
const started = Date.now();
console.error(`${jobs.length} valgrind runs, ${PARALLEL} at a time (about ${Math.round(jobs.length / PARALLEL)} min)`);
const counts = await runAll(jobs.map((j) => () => instructions(j.repeat + 1, [j.variant, j.history, String(j.n), backend])));
const count = (variant: string, history: string, n: number, repeat: number) => counts[jobs.findIndex((j) => j.variant === variant && j.history === history && j.n === n && j.repeat === repeat)]!;
/** Instructions per measured instance in one repeat. */
const perInstance = (variant: string, history: string, repeat: number) => (count(variant, history, N, repeat) - count(variant, history, 0, repeat)) / N;

const thousands = (x: number) => `${Math.round(x / 1000).toLocaleString("en-US")} k`;
const columns = VARIANTS.map((variant) => {
  const on = Array.from({ length: REPEATS }, (_, r) => perInstance(variant, "on", r));
  const off = Array.from({ length: REPEATS }, (_, r) => perInstance(variant, "off", r));
  const ratios = on.map((x, r) => x / off[r]!);
  // Every repeat's figures, so that an outlier is seen as one.
  console.error(`${variant}: per instance, on ${on.map(thousands).join(" / ")}, off ${off.map(thousands).join(" / ")}`);
  return { on: median(on), off: median(off), ratio: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios) };
});
console.log(`\nnwc history cost in instructions: Hello5 on ${backend}, 4 partitions, ${N.toLocaleString("en-US")} instances after 300, median of ${REPEATS} repeat(s), node ${process.version}, ${Math.round((Date.now() - started) / 60_000)} min\n`);
printTable([
  ["measure", ...VARIANTS],
  ["instructions per Hello5, history on", ...columns.map((c) => thousands(c.on))],
  ["instructions per Hello5, history off", ...columns.map((c) => thousands(c.off))],
  ["cost of the history: on / off", ...columns.map((c) => `${c.ratio.toFixed(3)}${REPEATS > 1 ? ` (${c.low.toFixed(3)}-${c.high.toFixed(3)})` : ""}`)],
]);
