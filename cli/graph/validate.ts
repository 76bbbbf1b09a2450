/**
 * Checks a MachineGraph before rendering: "start" and "end" exist, ids are
 * unique, every transition names existing states. A broken graph is a compiler
 * bug, so this throws with the offending id rather than drawing something wrong.
 */
import type { MachineGraph } from "../../runtime/machine.ts";

export function assertGraph(graph: MachineGraph): void {
  const ids = new Set<string>();
  for (const s of graph.states) {
    if (ids.has(s.id)) throw new Error(`machine graph: duplicate state id "${s.id}"`);
    ids.add(s.id);
  }
  for (const required of ["start", "end"]) if (!ids.has(required)) throw new Error(`machine graph: no "${required}" state`);
  for (const t of graph.transitions) {
    if (!ids.has(t.from)) throw new Error(`machine graph: transition from unknown state "${t.from}"`);
    if (!ids.has(t.to)) throw new Error(`machine graph: transition to unknown state "${t.to}"`);
  }
}
