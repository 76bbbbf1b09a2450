/**
 * MachineGraph -> Mermaid `stateDiagram-v2` text. "start" is entered from
 * `[*]` and "end" leaves to `[*]`, so the diagram reads like a state chart.
 *
 * Invariant: every state and transition of the graph appears exactly once;
 * ids are rewritten to Mermaid-safe identifiers and labels are quoted.
 */
import type { MachineGraph } from "../../runtime/machine.ts";
import { assertGraph } from "./validate.ts";

function mermaidId(id: string): string {
  return `s_${id.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

function text(s: string): string {
  // Mermaid has no escape for these inside labels; replace them with look-alikes.
  return s.replace(/"/g, "'").replace(/[:;#]/g, " ").replace(/\s+/g, " ").trim();
}

export function toMermaid(name: string, graph: MachineGraph): string {
  assertGraph(graph);
  const ids = new Map<string, string>();
  for (const s of graph.states) {
    let id = mermaidId(s.id);
    while ([...ids.values()].includes(id)) id += "_";
    ids.set(s.id, id);
  }
  const lines = ["---", `title: ${text(name)}`, "---", "stateDiagram-v2"];
  for (const s of graph.states) {
    const label = s.line !== undefined ? `${s.label} (line ${s.line})` : s.label;
    lines.push(`  state "${text(label) || s.id}" as ${ids.get(s.id)}`);
  }
  lines.push(`  [*] --> ${ids.get("start")}`);
  for (const t of graph.transitions) {
    lines.push(`  ${ids.get(t.from)} --> ${ids.get(t.to)}${t.label ? ` : ${text(t.label)}` : ""}`);
  }
  lines.push(`  ${ids.get("end")} --> [*]`);
  return lines.join("\n") + "\n";
}
