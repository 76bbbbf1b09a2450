/**
 * The machine's share of a Hello5, alone: CPU time per instance of init and
 * six steps with the frame encoded to its JSON text after each step and, as the partition
 * does it (runtime/partitions/step.ts), the next step given the frame the
 * last one returned when the codec says it round-trips exactly, else a
 * decoded copy. Compiled (bench/runtime-app.ts) against hand-written
 * (bench/runtime-machines.ts) in the same run; no partition, store or GC of
 * a large heap, so it isolates what compiled code costs per step.
 * Run: node --conditions=source --import tsx bench/hello5-step.ts
 * Process CPU time (user + system), not wall time: steadier on a shared machine.
 */
import { decode, encodeFrameText } from "../runtime/codec.ts";
import type { Machine, Wake } from "../runtime/machine.ts";
import { median } from "./hello.ts";
import { printTable } from "./table.ts";
import { loadWorkloads, type VariantName } from "./workloads.ts";

/** Medians of 7 rounds: two outliers either side are dropped. */
const REPEATS = 7;
const INSTANCES_PER_ROUND = 20_000;

const env = { instanceId: "bench", nowMs: 0 };

function runOne(machine: Machine): void {
  let text = encodeFrameText(machine.init(null, env)).text;
  let live: unknown;
  let wakes: Wake[] = [];
  for (;;) {
    const r = machine.step(live ?? decode(JSON.parse(text)), wakes, env);
    const encoded = encodeFrameText(r.frame);
    text = encoded.text;
    live = encoded.roundTripsExactly && machine.reusesFrames ? r.frame : undefined;
    if (r.outcome.kind !== "running") return;
    const c = r.commands[0]!;
    if (c.kind !== "activity") throw new Error(`expected an activity command, got ${c.kind}`);
    wakes = [{ taskId: c.taskId, result: { ok: true, value: `Hello ${String(c.input)}!` } }];
  }
}

const workloads = await loadWorkloads();
const variants: VariantName[] = ["compiled", "hand-written"];
const cpuUs: Record<VariantName, number[]> = { compiled: [], "hand-written": [] };
for (let r = 0; r < REPEATS; r++) {
  for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
    const machine = (workloads[v].hello5 as { machine: Machine }).machine;
    const before = process.cpuUsage();
    for (let i = 0; i < INSTANCES_PER_ROUND; i++) runOne(machine);
    const cpu = process.cpuUsage(before);
    cpuUs[v].push((cpu.user + cpu.system) / INSTANCES_PER_ROUND);
  }
}
const c = median(cpuUs.compiled);
const h = median(cpuUs["hand-written"]);
console.log(`\nHello5 machine steps alone (init + 6 steps + codec), CPU per instance, median of ${REPEATS} x ${INSTANCES_PER_ROUND.toLocaleString("en-US")}\n`);
printTable([
  ["compiled", "hand-written", "compiled / hand-written"],
  [`${c.toFixed(1)} us`, `${h.toFixed(1)} us`, (c / h).toFixed(2)],
]);
