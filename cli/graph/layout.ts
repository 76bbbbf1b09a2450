/**
 * Places a machine graph for drawing (`nwc graph --format svg`, the
 * playground and the dashboard), with dagre (@dagrejs/dagre).
 *
 * Why dagre and not elkjs: both implement the layered (Sugiyama) method and
 * route edges around boxes through dummy nodes, so back edges and long edges
 * no longer cross states. dagre is synchronous, small (about 60 kB of plain
 * JavaScript, one dependency) and runs unchanged in Node and in the browser
 * bundle; elkjs is a 1.5 MB transpiled-Java bundle whose API is asynchronous
 * (a worker in the browser), which would make every renderer async for graphs
 * of a few dozen states. dagre's options cover what these graphs need: box
 * sizes from their text, and room for edge labels.
 *
 * Back edges (loops in the source) are chosen here, by a depth-first search
 * from "start", and handed to dagre reversed: the picture then reads top to
 * bottom in program order, and the dashed edges are exactly the loops.
 *
 * Invariant: deterministic (same graph, same picture); every state and every
 * transition is placed exactly once; a box is as large as its wrapped label.
 */
import dagre from "@dagrejs/dagre";
import type { MachineGraph } from "../../runtime/machine.ts";
import { estimateMonospaceWidth, LABEL_LINE_PX, stateLabelLines, type MeasureText } from "./label.ts";
import { assertGraph } from "./validate.ts";

export interface PlacedState {
  id: string; label: string; line?: number;
  /** The label as drawn, one entry per line. */
  lines: string[];
  /** Rank from the top (dagre's layer), start is 0. */
  layer: number;
  /** Top-left corner and size of the box. */
  x: number; y: number; width: number; height: number;
}
export interface PlacedEdge { from: string; to: string; label?: string; back: boolean; path: string; labelX: number; labelY: number }
export interface Layout { width: number; height: number; states: PlacedState[]; edges: PlacedEdge[] }

/** Room between the text and the box edge. */
const PAD_X = 12;
const PAD_Y = 10;
const MIN_STATE_WIDTH = 60;
/** Vertical room between ranks, horizontal room between boxes, between parallel edges, around the picture. */
const RANK_SEP = 44;
const NODE_SEP = 36;
const EDGE_SEP = 14;
const MARGIN = 20;
/** How far a self-loop bulges right of its box (less than the room dagre leaves there). */
const SELF_LOOP_REACH = 22;

export interface LayoutOptions {
  /** Width of one line of label text in px; default: the monospace estimate (Node has no text metrics). */
  measure?: MeasureText;
}

export function layoutGraph(graph: MachineGraph, options: LayoutOptions = {}): Layout {
  assertGraph(graph);
  const measure = options.measure ?? estimateMonospaceWidth;
  const back = backEdges(graph);
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "TB", ranksep: RANK_SEP, nodesep: NODE_SEP, edgesep: EDGE_SEP, marginx: MARGIN, marginy: MARGIN });
  const lines = new Map<string, string[]>();
  for (const s of graph.states) {
    const wrapped = stateLabelLines(s);
    lines.set(s.id, wrapped);
    const width = Math.max(MIN_STATE_WIDTH, Math.ceil(Math.max(...wrapped.map(measure))) + 2 * PAD_X);
    g.setNode(s.id, { width, height: wrapped.length * LABEL_LINE_PX + 2 * PAD_Y });
  }
  graph.transitions.forEach((t, i) => {
    const [v, w] = back.has(i) && t.from !== t.to ? [t.to, t.from] : [t.from, t.to];
    const label = t.label !== undefined ? { width: Math.ceil(measure(t.label)) + 8, height: LABEL_LINE_PX, labelpos: "c" as const } : {};
    g.setEdge(v, w, { ...label }, String(i));
  });
  dagre.layout(g);

  const states: PlacedState[] = graph.states.map((s) => {
    const n = g.node(s.id);
    return {
      id: s.id, label: s.label, ...(s.line !== undefined ? { line: s.line } : {}), lines: lines.get(s.id)!,
      layer: n.rank ?? 0, x: n.x! - n.width / 2, y: n.y! - n.height / 2, width: n.width, height: n.height,
    };
  });
  const edges: PlacedEdge[] = graph.transitions.map((t, i) => {
    const reversed = back.has(i) && t.from !== t.to;
    const e = g.edge(reversed ? t.to : t.from, reversed ? t.from : t.to, String(i))!;
    const label = t.label !== undefined ? { label: t.label } : {};
    if (t.from === t.to) {
      // dagre reserves room right of the box (its label sits there) but its bend points for
      // self-loops run outside the picture; a small loop on the box's right side reads better.
      const n = g.node(t.from), right = n.x! + n.width / 2, y = n.y!;
      const path = `M ${right} ${y - 8} C ${right + SELF_LOOP_REACH} ${y - 22}, ${right + SELF_LOOP_REACH} ${y + 22}, ${right} ${y + 8}`;
      return { from: t.from, to: t.to, ...label, back: true, path, labelX: e.x ?? right + SELF_LOOP_REACH, labelY: (e.y ?? y) + 4 };
    }
    const points = reversed ? [...e.points!].reverse() : e.points!;
    const mid = points[Math.floor(points.length / 2)]!;
    return { from: t.from, to: t.to, ...label, back: back.has(i), path: smoothPath(points), labelX: e.x ?? mid.x, labelY: (e.y ?? mid.y) + 4 };
  });
  const size = g.graph();
  return { width: Math.ceil(size.width ?? 0), height: Math.ceil(size.height ?? 0), states, edges };
}

/** Indexes of the transitions that close a loop: into a state still on the depth-first stack from "start". */
function backEdges(graph: MachineGraph): Set<number> {
  const back = new Set<number>();
  const seen = new Map<string, "open" | "done">();
  const visit = (id: string): void => {
    seen.set(id, "open");
    graph.transitions.forEach((t, i) => {
      if (t.from !== id) return;
      if (seen.get(t.to) === "open") back.add(i);
      else if (!seen.has(t.to)) visit(t.to);
    });
    seen.set(id, "done");
  };
  visit("start");
  for (const s of graph.states) if (!seen.has(s.id)) visit(s.id);
  return back;
}

/** A curve through dagre's bend points: straight to the first midpoint, then quadratic bends at each point. */
function smoothPath(points: readonly { x: number; y: number }[]): string {
  const r = (n: number) => Math.round(n * 10) / 10;
  const p = points.map((q) => ({ x: r(q.x), y: r(q.y) }));
  if (p.length < 3) return `M ${p[0]!.x} ${p[0]!.y} L ${p.at(-1)!.x} ${p.at(-1)!.y}`;
  const mid = (a: { x: number; y: number }, b: { x: number; y: number }) => `${r((a.x + b.x) / 2)} ${r((a.y + b.y) / 2)}`;
  const parts = [`M ${p[0]!.x} ${p[0]!.y}`, `L ${mid(p[0]!, p[1]!)}`];
  for (let i = 1; i < p.length - 1; i++) parts.push(`Q ${p[i]!.x} ${p[i]!.y} ${mid(p[i]!, p[i + 1]!)}`);
  parts.push(`L ${p.at(-1)!.x} ${p.at(-1)!.y}`);
  return parts.join(" ");
}
