/**
 * Cost of upgrading a waiting instance, against the cost of stepping it. Run:
 *   node --conditions=source --import tsx bench/upgrade.ts
 *
 * Compiles two versions of an orchestration that waits in a loop inside a
 * try/finally (v2 edits the code after the await), runs an instance on v1
 * until it waits, and times, on the same stored frame:
 * - baseline: what a step costs the partition (decode the frame, step with one
 *   wake, encode the new frame);
 * - upgrade: what an upgradeInstance message costs (decode, planUpgrade,
 *   encode the translated frame).
 * Prints the median of REPEATS runs of ITER operations each, and the ratio.
 * Also the manifest's share of the emitted module (bytes).
 */
import { performance } from "node:perf_hooks";
import { compileSource } from "../compiler/index.ts";
import { loadCompiled } from "../compiler/load.ts";
import { decode, encodeFrame } from "../runtime/codec.ts";
import type { Json } from "../runtime/backends/types.ts";
import type { Machine } from "../runtime/machine.ts";
import { planUpgrade } from "../runtime/upgrade/plan.ts";
import { printTable } from "./table.ts";

/** Medians over 9 runs: stable to a few percent on a shared machine. */
const REPEATS = 9;
const ITER = 2_000;

const V1 = `
import { activity, orchestration } from "nwc";
const charge = activity("charge", async (x: number) => x * 10);
export const order = orchestration("order", async (ctx, items: number[]) => {
  let total = 0;
  const seen: string[] = [];
  for (const item of items) {
    try {
      const e = await ctx.waitForEvent<string>("go");
      seen.push(e);
      total += await ctx.call(charge, item);
    } finally {
      ctx.setStatus("v1 " + total);
    }
  }
  return { total, seen };
});
`;
const V2 = V1.replace(`ctx.setStatus("v1 " + total);`, `ctx.setStatus({ version: 2, total });`);

async function machineOf(fileName: string, text: string): Promise<{ machine: Machine; bytes: number; manifestBytes: number }> {
  const r = compileSource(fileName, text);
  if (r.diagnostics.length) throw new Error(JSON.stringify(r.diagnostics));
  const mod = [...(await loadCompiled(r.outputs)).values()][0] as Record<string, any>;
  const out = r.outputs.find((o) => o.fileName.endsWith(".js"))!.text;
  return { machine: mod.order.machine, bytes: out.length, manifestBytes: JSON.stringify(mod.order.machine.upgrade).length };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const v1 = await machineOf("/bench/v1.ts", V1);
const v2 = await machineOf("/bench/v2.ts", V2);
const env = { instanceId: "bench-1", nowMs: 0 };
const r = v1.machine.step(v1.machine.init(Array.from({ length: 20 }, (_, i) => i), env), [], env);
const eventTask = r.commands.find((c) => c.kind === "waitEvent")!.taskId;
const stored = encodeFrame(r.frame) as Json;
if (!planUpgrade(v1.machine, v2.machine, decode(stored)).ok) throw new Error("the bench instance cannot be upgraded");

function time(op: () => void): number {
  const runs: number[] = [];
  for (let k = 0; k < REPEATS; k++) {
    const t0 = performance.now();
    for (let i = 0; i < ITER; i++) op();
    runs.push(((performance.now() - t0) * 1000) / ITER);
  }
  return median(runs);
}

const step = time(() => {
  const next = v1.machine.step(decode(stored), [{ taskId: eventTask, result: { ok: true, value: "e" } }], env);
  encodeFrame(next.frame);
});
const upgrade = time(() => {
  const plan = planUpgrade(v1.machine, v2.machine, decode(stored));
  if (!plan.ok) throw new Error(plan.reason);
  encodeFrame(plan.frame);
});
printTable([
  ["operation (frame of an instance waiting in a loop in try/finally)", "median us", "ratio to a step"],
  ["step: decode, step with one wake, encode (baseline)", step.toFixed(1), "1.00"],
  ["upgrade: decode, planUpgrade, encode", upgrade.toFixed(1), (upgrade / step).toFixed(2)],
]);
console.log();
printTable([
  ["emitted module", "bytes", "upgrade manifest bytes", "share"],
  ["order (v1)", String(v1.bytes), String(v1.manifestBytes), `${((100 * v1.manifestBytes) / v1.bytes).toFixed(1)}%`],
]);
