/**
 * Draws a machine graph as SVG markup for the playground and the dashboard,
 * from the CLI's layout (cli/graph/layout.ts: dagre, browser-safe), with
 * labels measured by the page's own font metrics (canvas measureText), so a
 * box always holds its text whatever monospace font the browser picks: states
 * are await points, the states in `active` (where the instance waits now) are
 * highlighted, `visited` ones tinted, loops dashed.
 *
 * Invariant: every text goes through `escapeXml`; every state of the graph
 * appears once as `<g class="state" data-id=...>`, so tests and styles can
 * find it.
 */
import type { MachineGraph } from "../../../runtime/machine.ts";
import { LABEL_FONT_FAMILY, LABEL_FONT_SIZE_PX, estimateMonospaceWidth, type MeasureText } from "../../../cli/graph/label.ts";
import { layoutGraph } from "../../../cli/graph/layout.ts";
import { edgeLabelText, escapeXml, stateText } from "../../../cli/graph/svg.ts";

export interface Highlight {
  active?: readonly string[];
  visited?: readonly string[];
  /** Where a failed instance's last step resumed from (marked red by the page's style). */
  failed?: readonly string[];
}

/** Each picture gets its own marker id: a marker found by id inside a hidden tab (display: none) would draw nothing. */
let pictures = 0;

export function renderGraphSvg(graph: MachineGraph, highlight: Highlight = {}): string {
  const arrow = `pg-arrow-${++pictures}`;
  const layout = layoutGraph(graph, { measure: pageMeasure() });
  const active = new Set(highlight.active ?? []);
  const visited = new Set(highlight.visited ?? []);
  const failed = new Set(highlight.failed ?? []);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="machine-graph" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="${LABEL_FONT_FAMILY}" font-size="${LABEL_FONT_SIZE_PX}">`,
    `<defs><marker id="${arrow}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#667"/></marker></defs>`,
  ];
  for (const e of layout.edges) {
    out.push(`<path class="transition" data-from="${escapeXml(e.from)}" data-to="${escapeXml(e.to)}" d="${e.path}" fill="none" stroke="#667" stroke-width="1.3"${e.back ? ' stroke-dasharray="5 3"' : ""} marker-end="url(#${arrow})"/>`);
  }
  for (const s of layout.states) {
    const classes = ["state", active.has(s.id) ? "active" : "", visited.has(s.id) && !active.has(s.id) ? "visited" : "", failed.has(s.id) ? "failed" : "", s.id === "start" || s.id === "end" ? s.id : ""].filter(Boolean).join(" ");
    const fill = active.has(s.id) ? "#ffd54f" : s.id === "start" ? "#2f4f7f" : visited.has(s.id) ? "#dfeee0" : "#eef3fb";
    const stroke = active.has(s.id) ? "#e65100" : "#2f4f7f";
    out.push(`<g class="${classes}" data-id="${escapeXml(s.id)}">`);
    out.push(`<rect x="${s.x}" y="${s.y}" width="${s.width}" height="${s.height}" rx="10" fill="${fill}" stroke="${stroke}" stroke-width="${active.has(s.id) ? 3 : s.id === "end" ? 2.5 : 1.3}"/>`);
    out.push(stateText(s, s.id === "start" && !active.has(s.id) ? "white" : "#111"));
    out.push(`</g>`);
  }
  for (const e of layout.edges) {
    if (e.label === undefined) continue;
    out.push(edgeLabelText(e));
  }
  out.push(`</svg>`);
  return out.join("\n");
}

let cachedMeasure: MeasureText | undefined;

/**
 * Text width in the page's label font; the larger of the canvas measure and
 * the monospace estimate, so a font the canvas cannot see yet (still loading)
 * never makes a box too small. Outside a browser (unit tests): the estimate.
 */
function pageMeasure(): MeasureText {
  if (cachedMeasure) return cachedMeasure;
  const ctx = typeof document !== "undefined" ? document.createElement("canvas").getContext("2d") : null;
  if (!ctx) return estimateMonospaceWidth;
  ctx.font = `${LABEL_FONT_SIZE_PX}px ${LABEL_FONT_FAMILY}`;
  cachedMeasure = (line) => Math.max(ctx.measureText(line).width, estimateMonospaceWidth(line));
  return cachedMeasure;
}
