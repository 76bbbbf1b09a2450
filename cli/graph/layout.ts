/**
 * A small layered (Sugiyama-style) layout for machine graphs, so `nwc graph`
 * draws pictures with no external renderer:
 *   1. depth-first search from "start" marks back edges (loops in the source);
 *   2. every state gets a layer: the longest path from "start" over the
 *      remaining forward edges; "end" alone on the last layer;
 *   3. states in a layer are ordered by the barycenter of their neighbours,
 *      sweeping down and up a fixed number of times to reduce crossings;
 *   4. coordinates: layers top to bottom, each layer centred horizontally.
 *
 * Invariant: deterministic (same graph, same picture) and every state and
 * transition of the graph is placed exactly once.
 */
import type { MachineGraph } from "../../runtime/machine.ts";
import { assertGraph } from "./validate.ts";

export interface PlacedState { id: string; label: string; line?: number; layer: number; x: number; y: number; width: number; height: number }
export interface PlacedEdge { from: string; to: string; label?: string; back: boolean; path: string; labelX: number; labelY: number }
export interface Layout { width: number; height: number; states: PlacedState[]; edges: PlacedEdge[] }

/** Crossing-reduction sweeps: more rarely helps graphs of a few dozen states. */
const ORDER_SWEEPS = 4;
const STATE_HEIGHT = 36;
const LAYER_GAP = 70;
const STATE_GAP = 36;
const MARGIN = 24;
/** Average glyph width of the 12px sans-serif font used in svg.ts. */
const CHAR_WIDTH = 7;
const MIN_STATE_WIDTH = 60;
/** How far back edges bulge to the right of the states they join. */
const BACK_EDGE_BULGE = 50;
/** How far left of the states the first lane of layer-skipping edges runs. */
const LONG_EDGE_BULGE = 30;
/** Distance between lanes of layer-skipping edges. */
const LANE_GAP = 14;

export function stateLabel(s: { label: string; line?: number }): string {
  return s.line !== undefined ? `${s.label} (line ${s.line})` : s.label;
}

export function layoutGraph(graph: MachineGraph): Layout {
  assertGraph(graph);
  const ids = graph.states.map((s) => s.id);
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const t of graph.transitions) out.get(t.from)!.push(t.to);

  // 1. Back edges: edges into a state that is still on the DFS stack.
  const back = new Set<number>();
  const state = new Map<string, "open" | "done">();
  const dfs = (id: string): void => {
    state.set(id, "open");
    graph.transitions.forEach((t, i) => {
      if (t.from !== id) return;
      if (state.get(t.to) === "open") back.add(i);
      else if (!state.has(t.to)) dfs(t.to);
    });
    state.set(id, "done");
  };
  dfs("start");
  for (const id of ids) if (!state.has(id)) dfs(id);

  // 2. Layers by longest path over forward edges (Kahn's order over a DAG).
  const forward = graph.transitions.filter((_, i) => !back.has(i) && graph.transitions[i]!.from !== graph.transitions[i]!.to);
  const indegree = new Map(ids.map((id) => [id, 0]));
  for (const t of forward) indegree.set(t.to, indegree.get(t.to)! + 1);
  const layer = new Map(ids.map((id) => [id, 0]));
  const ready = ids.filter((id) => indegree.get(id) === 0);
  while (ready.length) {
    const id = ready.shift()!;
    for (const t of forward) {
      if (t.from !== id) continue;
      layer.set(t.to, Math.max(layer.get(t.to)!, layer.get(id)! + 1));
      indegree.set(t.to, indegree.get(t.to)! - 1);
      if (indegree.get(t.to) === 0) ready.push(t.to);
    }
  }
  layer.set("start", 0);
  const others = ids.filter((id) => id !== "end").map((id) => layer.get(id)!);
  layer.set("end", Math.max(0, ...others) + 1);

  // 3. Order within layers by barycenter.
  const layerCount = layer.get("end")! + 1;
  const rows: string[][] = Array.from({ length: layerCount }, () => []);
  for (const id of ids) rows[layer.get(id)!]!.push(id);
  const position = new Map<string, number>();
  const renumber = () => rows.forEach((row) => row.forEach((id, i) => position.set(id, i)));
  renumber();
  const neighbours = (id: string, up: boolean) => forward.filter((t) => (up ? t.to === id : t.from === id)).map((t) => (up ? t.from : t.to));
  for (let sweep = 0; sweep < ORDER_SWEEPS; sweep++) {
    const down = sweep % 2 === 0;
    const order = down ? rows.map((_, i) => i).slice(1) : rows.map((_, i) => i).reverse().slice(1);
    for (const r of order) {
      const bary = new Map(rows[r]!.map((id) => {
        const ns = neighbours(id, down);
        return [id, ns.length ? ns.reduce((a, n) => a + position.get(n)!, 0) / ns.length : position.get(id)!] as const;
      }));
      rows[r]!.sort((a, b) => bary.get(a)! - bary.get(b)! || position.get(a)! - position.get(b)!);
      renumber();
    }
  }

  // 4. Coordinates.
  const byId = new Map(graph.states.map((s) => [s.id, s]));
  const widthOf = (id: string) => Math.max(MIN_STATE_WIDTH, stateLabel(byId.get(id)!).length * CHAR_WIDTH + 24);
  const rowWidths = rows.map((row) => row.reduce((a, id) => a + widthOf(id), 0) + STATE_GAP * Math.max(0, row.length - 1));
  const contentWidth = Math.max(...rowWidths);
  // Forward edges that skip layers run down the left side, each in its own lane, so they
  // never cross the states in between; the lanes need room left of the widest row.
  const isLong = (t: { from: string; to: string }, i: number) => !back.has(i) && t.from !== t.to && layer.get(t.to)! - layer.get(t.from)! > 1;
  const longCount = graph.transitions.filter(isLong).length;
  const leftLanes = longCount > 0 ? LONG_EDGE_BULGE + LANE_GAP * longCount : 0;
  const placed = new Map<string, PlacedState>();
  rows.forEach((row, r) => {
    let x = MARGIN + leftLanes + (contentWidth - rowWidths[r]!) / 2;
    for (const id of row) {
      const s = byId.get(id)!;
      const width = widthOf(id);
      placed.set(id, { id, label: s.label, ...(s.line !== undefined ? { line: s.line } : {}), layer: r, x, y: MARGIN + r * (STATE_HEIGHT + LAYER_GAP), width, height: STATE_HEIGHT });
      x += width + STATE_GAP;
    }
  });

  let longIndex = 0;
  const edges: PlacedEdge[] = graph.transitions.map((t, i) => {
    const a = placed.get(t.from)!;
    const b = placed.get(t.to)!;
    const label = t.label !== undefined ? { label: t.label } : {};
    if (t.from === t.to) {
      const x = a.x + a.width, y = a.y + a.height / 2;
      return { from: t.from, to: t.to, ...label, back: true, path: `M ${x} ${y - 8} C ${x + 40} ${y - 30}, ${x + 40} ${y + 30}, ${x} ${y + 8}`, labelX: x + 34, labelY: y };
    }
    if (back.has(i) || b.layer <= a.layer) {
      const x1 = a.x + a.width, y1 = a.y + a.height / 2, x2 = b.x + b.width, y2 = b.y + b.height / 2;
      const bulge = Math.max(x1, x2) + BACK_EDGE_BULGE;
      return { from: t.from, to: t.to, ...label, back: true, path: `M ${x1} ${y1} C ${bulge} ${y1}, ${bulge} ${y2}, ${x2} ${y2}`, labelX: bulge - 10, labelY: (y1 + y2) / 2 };
    }
    if (isLong(t, i)) {
      const lane = MARGIN + LANE_GAP * (longIndex++);
      const x1 = a.x, y1 = a.y + a.height / 2, x2 = b.x, y2 = b.y + b.height / 2;
      return { from: t.from, to: t.to, ...label, back: false, path: `M ${x1} ${y1} C ${lane} ${y1}, ${lane} ${y2}, ${x2} ${y2}`, labelX: lane + 20, labelY: (y1 + y2) / 2 };
    }
    const x1 = a.x + a.width / 2, y1 = a.y + a.height, x2 = b.x + b.width / 2, y2 = b.y;
    const my = (y1 + y2) / 2;
    return { from: t.from, to: t.to, ...label, back: false, path: `M ${x1} ${y1} C ${x1} ${my}, ${x2} ${my}, ${x2} ${y2}`, labelX: (x1 + x2) / 2, labelY: my };
  });

  const maxRight = Math.max(...[...placed.values()].map((s) => s.x + s.width), ...edges.filter((e) => e.back).map((e) => e.labelX + 80));
  return {
    width: Math.ceil(Math.max(maxRight, contentWidth + MARGIN + leftLanes) + MARGIN),
    height: MARGIN * 2 + layerCount * STATE_HEIGHT + (layerCount - 1) * LAYER_GAP,
    states: ids.map((id) => placed.get(id)!),
    edges,
  };
}
