/**
 * Cost of step counting (the step budget). Run:
 *   node --conditions=source --import tsx bench/step-counting.ts
 *
 * Compiles one app twice: as nwc emits it, and with every count removed
 * (`__nwc_engine.tick(...)` replaced by `void 0`: counting off). Drives
 * instances to completion through `machine.step` (frames kept decoded: the
 * step alone) and prints the median step time of REPEATS runs per variant and
 * their ratio. Two machines: Hello5 (five activities in sequence, a count or
 * two per step) and a step whose helper in the same module loops 1,000 times
 * (the worst case: a count per iteration, little else).
 */
import { performance } from "node:perf_hooks";
import type { Command, Machine, Wake } from "../runtime/machine.ts";
import { compileSource } from "../compiler/index.ts";
import { loadCompiled } from "../compiler/load.ts";

/** Medians over 9 runs of ITER instances each: stable to a few percent on a shared machine. */
const REPEATS = 9;
const ITER = 2_000;

const SOURCE = `
import { activity, orchestration } from "nwc";
const hello = activity("hello", async (name: string) => \`Hello \${name}!\`);
export const hello5 = orchestration("hello5", async (ctx, names: string[]) => {
  const out: string[] = [];
  for (const name of names) out.push(await ctx.call(hello, name));
  return out;
});
function checksum(xs: number[]): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum = (sum * 31 + xs[i]!) | 0;
  return sum;
}
export const crunch = orchestration("crunch", async (ctx, n: number) => {
  const xs = Array.from({ length: n }, (_, i) => i);
  const first = checksum(xs);
  return first + checksum(await ctx.call(hello, "x") === "" ? [] : xs);
});
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs one instance to completion; returns the summed time of its steps (ns) and the step count. */
function drive(machine: Machine, input: unknown): { ns: number; steps: number } {
  const env = { instanceId: "bench", nowMs: 0 };
  let frame = machine.init(input, env);
  let wakes: Wake[] = [];
  let ns = 0, steps = 0;
  for (;;) {
    const t0 = performance.now();
    const r = machine.step(frame, wakes, env);
    ns += (performance.now() - t0) * 1e6;
    steps++;
    if (r.outcome.kind !== "running") return { ns, steps };
    const c = r.commands.find((x) => x.kind === "activity") as Extract<Command, { kind: "activity" }>;
    wakes = [{ taskId: c.taskId, result: { ok: true, value: `Hello ${String(c.input)}!` } }];
    frame = r.frame;
  }
}

async function load(countingOff: boolean): Promise<Record<string, any>> {
  const compiled = compileSource(new URL(`./counting-${countingOff ? "off" : "on"}.ts`, import.meta.url).pathname, SOURCE);
  if (compiled.diagnostics.length) throw new Error(JSON.stringify(compiled.diagnostics, null, 2));
  const outputs = compiled.outputs.map((o) => !countingOff ? o : {
    ...o,
    // No counts, and another module hash, so the two variants' step functions do not replace each other.
    text: o.text.replace(/__nwc_engine\.tick\([^)]*\)/g, "void 0").replace(/registerModule\("([^"]+)"/, 'registerModule("$1-off"'),
  });
  return [...(await loadCompiled(outputs)).values()][0] as Record<string, any>;
}

const on = await load(false);
const off = await load(true);
const cases: [string, string, unknown][] = [["Hello5", "hello5", ["a", "b", "c", "d", "e"]], ["helper looping 1,000 times", "crunch", 1_000]];
console.log(`\nstep time with and without step counting, median of ${REPEATS} runs x ${ITER} instances\n`);
console.log("| machine | steps | counting on: ns/step | counting off: ns/step | on / off |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const [label, name, input] of cases) {
  const variants = [on[name].machine as Machine, off[name].machine as Machine];
  for (const m of variants) for (let i = 0; i < 200; i++) drive(m, input); // warm-up
  const runs: number[][] = [[], []];
  let steps = 0;
  for (let r = 0; r < REPEATS; r++) {
    // Alternate the variants, so that a change in machine load hits both alike.
    variants.forEach((m, v) => {
      let ns = 0;
      for (let i = 0; i < ITER; i++) {
        const d = drive(m, input);
        ns += d.ns;
        steps = d.steps;
      }
      runs[v]!.push(ns / (ITER * steps));
    });
  }
  const [a, b] = [median(runs[0]!), median(runs[1]!)];
  console.log(`| ${label} | ${steps} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(a / b).toFixed(2)} |`);
}
