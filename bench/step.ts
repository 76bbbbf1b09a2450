/**
 * Step-cost benchmark. Run: node --conditions=source --import tsx bench/step.ts
 *
 * For representative compiled machines (a sequential loop, a 10-way fan-out,
 * a loop with try/finally and a helper), drives instances to completion and
 * measures per step: the step itself (frame already decoded), the step plus the
 * frame's codec + JSON round trip (what the runtime pays), and the baseline: a
 * plain codec + JSON round trip of the same frames alone. Prints medians of
 * REPEATS runs, the frame size, and ratios to the baseline.
 */
import { performance } from "node:perf_hooks";
import { decode, encodeFrame } from "../runtime/codec.ts";
import type { Command, Machine, Wake } from "../runtime/machine.ts";
import { compileSource } from "../compiler/index.ts";
import { loadCompiled } from "../compiler/load.ts";

/** Medians over 7 runs of ITER instances each: stable to a few percent on a shared machine. */
const REPEATS = 7;
const ITER = 300;

const SOURCE = `
import { activity, orchestration, type OrchestrationContext } from "nwc";
const work = activity("work", async (x: number) => x + 1);
async function helper(ctx: OrchestrationContext, x: number) { return (await ctx.call(work, x)) * 2; }
export const sequence = orchestration("sequence", async (ctx, n: number) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await ctx.call(work, i));
  return out;
});
export const fanOut = orchestration("fanOut", async (ctx, n: number) => {
  const xs = Array.from({ length: n }, (_, i) => i);
  const rs = await Promise.all(xs.map(async (x) => (await ctx.call(work, x)) + 1));
  return rs.reduce((a, b) => a + b, 0);
});
export const tryLoop = orchestration("tryLoop", async (ctx, n: number) => {
  let total = 0;
  const log: string[] = [];
  for (let i = 0; i < n; i++) {
    try { total += await helper(ctx, i); } catch (e) { log.push("err"); } finally { log.push("f" + i); }
  }
  return { total, log };
});
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Sample { stepNs: number; stepRoundTripNs: number; baselineNs: number; bytes: number; steps: number }

function drive(machine: Machine, input: unknown): Sample {
  const env = { instanceId: "bench", nowMs: 0 };
  let stepNs = 0, rtNs = 0, baseNs = 0, bytes = 0, steps = 0;
  let frame: unknown = machine.init(input, env);
  const pending: Command[] = [];
  let wakes: Wake[] = [];
  for (;;) {
    const text0 = JSON.stringify(encodeFrame(frame));
    const t0 = performance.now();
    const decoded = decode(JSON.parse(text0));
    const t1 = performance.now();
    const r = machine.step(decoded, wakes, env);
    const t2 = performance.now();
    const text = JSON.stringify(encodeFrame(r.frame));
    const t3 = performance.now();
    decode(JSON.parse(text));
    JSON.stringify(encodeFrame(decode(JSON.parse(text))));
    const t4 = performance.now();
    stepNs += (t2 - t1) * 1e6;
    rtNs += (t3 - t0) * 1e6;
    baseNs += (t4 - t3) * 1e6;
    bytes = Math.max(bytes, text.length);
    steps++;
    if (r.outcome.kind !== "running") break;
    pending.push(...r.commands.filter((c) => c.kind === "activity"));
    const c = pending.shift() as Extract<Command, { kind: "activity" }>;
    wakes = [{ taskId: c.taskId, result: { ok: true, value: (c.input as number) + 1 } }];
    frame = r.frame;
  }
  return { stepNs: stepNs / steps, stepRoundTripNs: rtNs / steps, baselineNs: baseNs / steps, bytes, steps };
}

const compiled = compileSource(new URL("./step-bench-app.ts", import.meta.url).pathname, SOURCE);
if (compiled.diagnostics.length) throw new Error(JSON.stringify(compiled.diagnostics, null, 2));
const mod = [...(await loadCompiled(compiled.outputs)).values()][0] as Record<string, any>;
const cases: [string, Machine, unknown][] = [
  ["sequence(20)", mod.sequence.machine, 20],
  ["fanOut(10)", mod.fanOut.machine, 10],
  ["tryLoop(10) + helper", mod.tryLoop.machine, 10],
];

console.log(`\nstep cost per step, median of ${REPEATS} runs x ${ITER} instances\n`);
console.log("| machine | steps | max frame bytes | step ns | step + frame round trip ns | baseline: frame round trip only ns | step / baseline |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const [name, machine, input] of cases) {
  for (let i = 0; i < 50; i++) drive(machine, input); // warm-up
  const runs: Sample[][] = [];
  for (let r = 0; r < REPEATS; r++) {
    const xs: Sample[] = [];
    for (let i = 0; i < ITER; i++) xs.push(drive(machine, input));
    runs.push(xs);
  }
  const per = (f: (s: Sample) => number) => median(runs.map((xs) => xs.reduce((a, s) => a + f(s), 0) / xs.length));
  const step = per((s) => s.stepNs), rt = per((s) => s.stepRoundTripNs), base = per((s) => s.baselineNs);
  console.log(`| ${name} | ${runs[0]![0]!.steps} | ${runs[0]![0]!.bytes} | ${step.toFixed(0)} | ${rt.toFixed(0)} | ${base.toFixed(0)} | ${(step / base).toFixed(2)} |`);
}
