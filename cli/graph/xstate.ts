/**
 * MachineGraph -> xstate v5 machine config (JSON). States are the machine's
 * await points; each transition becomes an event on its source state, named by
 * its label (or "next"), made unique per state so that no edge is lost.
 *
 * Invariant: the result is plain JSON that xstate's `createMachine` accepts:
 * `initial` is "start", "end" is a final state, every target names a state.
 * State ids containing "." (xstate's path separator) are rewritten to "_".
 */
import type { MachineGraph } from "../../runtime/machine.ts";
import { assertGraph } from "./validate.ts";

export interface XstateStateConfig {
  description?: string;
  type?: "final";
  meta?: { line?: number; id: string };
  on?: Record<string, { target: string }>;
}

export interface XstateMachineConfig {
  id: string;
  initial: string;
  states: Record<string, XstateStateConfig>;
}

export function xstateKey(id: string): string {
  return id.replace(/\./g, "_");
}

export function toXstateConfig(name: string, graph: MachineGraph): XstateMachineConfig {
  assertGraph(graph);
  const states: Record<string, XstateStateConfig> = {};
  for (const s of graph.states) {
    const key = xstateKey(s.id);
    if (states[key]) throw new Error(`graph of ${name}: state ids "${s.id}" collide once "." is replaced for xstate`);
    states[key] = { description: s.label, meta: { id: s.id, ...(s.line !== undefined ? { line: s.line } : {}) }, ...(s.id === "end" ? { type: "final" as const } : {}) };
  }
  for (const t of graph.transitions) {
    const from = states[xstateKey(t.from)]!;
    if (from.type === "final") continue; // a final state has no outgoing events in xstate
    const on = (from.on ??= {});
    const base = t.label ?? "next";
    let event = base;
    for (let i = 2; event in on; i++) event = `${base} #${i}`;
    on[event] = { target: xstateKey(t.to) };
  }
  return { id: name, initial: "start", states };
}
