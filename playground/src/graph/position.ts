/**
 * Where an instance waits, as state ids of its machine's graph: the machine's
 * own `position(frame)` when it has one; otherwise the source lines its
 * branches wait at (the compiled frame's `branches[*].at`) matched to the
 * states' lines. A finished instance is at "end"; one not yet started at "start".
 *
 * Invariant: every id returned names a state of `graph`.
 */
import type { Frame, Machine, MachineGraph } from "../../../runtime/machine.ts";

export function positionOf(machine: Pick<Machine, "position" | "graph">, frame: Frame, ended: boolean): string[] {
  return knownIds(machine.graph, ended ? ["end"] : machine.position ? machine.position(frame) : fromLines(machine.graph, frame));
}

function fromLines(graph: MachineGraph, frame: Frame): string[] {
  const branches = (frame as { branches?: Record<string, { at?: number }> } | null)?.branches;
  if (!branches || typeof branches !== "object") return [];
  const lines = new Set(Object.values(branches).map((b) => b.at).filter((l): l is number => typeof l === "number"));
  return graph.states.filter((s) => s.line !== undefined && lines.has(s.line)).map((s) => s.id);
}

/** Keeps the ids the graph knows, without duplicates, in graph order. */
export function knownIds(graph: MachineGraph, ids: readonly string[]): string[] {
  const wanted = new Set(ids);
  return graph.states.filter((s) => wanted.has(s.id)).map((s) => s.id);
}
