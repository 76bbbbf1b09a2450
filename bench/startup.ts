/**
 * Time from `nwc run` to its result, as a user sees it: the quick start's
 * command (examples/hello-sequence.ts, one city, memory backend, so no disk
 * state is involved) run as a new process each time.
 *
 *   cold  the compile-on-load cache is empty (a new working directory each run):
 *         TypeScript loads, the file is type-checked, effect-checked and compiled
 *   warm  the cache holds the compiled file: neither TypeScript nor the compiler load
 *
 * Both from the built package (dist/, as installed) and, for comparison, from the
 * sources through tsx (a checkout with no build). The baseline, measured in the
 * same run, is `node -e ""`: the cost of starting Node at all.
 *
 * Run: `node --conditions=source --import tsx bench/startup.ts [repeats]` after
 * `npm run build` (the bench refuses to measure a missing or stale dist/).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const repeats = Number(process.argv[2] ?? 5);
const ARGS = ["run", path.join(root, "examples/hello-sequence.ts"), "helloSequence", "--input", '["Tokyo"]', "--backend", "memory"];

function timed(args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, env, encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function measure(fromSource: boolean): { cold: number; warm: number } {
  const env = { ...process.env, ...(fromSource ? { NWC_FROM_SOURCE: "1" } : {}) };
  delete env.NODE_OPTIONS;
  const cold: number[] = [], warm: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const cwd = mkdtempSync(path.join(tmpdir(), "nwc-startup-"));
    try {
      cold.push(timed([path.join(root, "bin/nwc.js"), ...ARGS], cwd, env));
      warm.push(timed([path.join(root, "bin/nwc.js"), ...ARGS], cwd, env));
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }
  return { cold: median(cold), warm: median(warm) };
}

const stamp = path.join(root, "dist/.build-stamp");
if (!existsSync(stamp) || statSync(stamp).mtimeMs < statSync(path.join(root, "compiler/index.ts")).mtimeMs) {
  console.error("bench/startup: dist/ is missing or older than the sources; run `npm run build` first");
  process.exit(1);
}

const nodeFloor = median(Array.from({ length: repeats }, () => timed(["-e", ""], root, process.env)));
const built = measure(false);
const source = measure(true);

const row = (name: string, ms: number) => `| ${name.padEnd(34)} | ${ms.toFixed(0).padStart(7)} | ${(ms / nodeFloor).toFixed(1).padStart(11)} |`;
console.log(`\nnwc run (hello-sequence, 1 city, memory backend), median of ${repeats}\n`);
console.log(`| ${"".padEnd(34)} | ${"ms".padStart(7)} | ${"x node -e".padStart(11)} |`);
console.log(`| ${"-".repeat(34)} | ${"-".repeat(7)}:| ${"-".repeat(11)}:|`);
console.log(row("node -e \"\" (baseline)", nodeFloor));
console.log(row("built package, cold (empty cache)", built.cold));
console.log(row("built package, warm", built.warm));
console.log(row("sources via tsx, cold", source.cold));
console.log(row("sources via tsx, warm", source.warm));
