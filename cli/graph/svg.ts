/**
 * MachineGraph -> a standalone SVG picture, drawn from layout.ts's layered
 * layout (dagre): rounded boxes for states (start filled, end doubled), sized
 * to their wrapped labels; curves with arrowheads for transitions (loops
 * dashed), labels on edges.
 *
 * Invariant: the output is well-formed XML; every text comes through `escapeXml`.
 */
import type { MachineGraph } from "../../runtime/machine.ts";
import { LABEL_FONT_FAMILY, LABEL_FONT_SIZE_PX, LABEL_LINE_PX, stateLabel } from "./label.ts";
import { layoutGraph, type PlacedEdge, type PlacedState } from "./layout.ts";

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

export function toSvg(name: string, graph: MachineGraph): string {
  const layout = layoutGraph(graph);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="${LABEL_FONT_FAMILY}" font-size="${LABEL_FONT_SIZE_PX}">`,
    `<title>${escapeXml(name)}</title>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  for (const e of layout.edges) {
    out.push(`<path class="transition" data-from="${escapeXml(e.from)}" data-to="${escapeXml(e.to)}" d="${e.path}" fill="none" stroke="#555" stroke-width="1.3"${e.back ? ' stroke-dasharray="5 3"' : ""} marker-end="url(#arrow)"/>`);
  }
  for (const s of layout.states) {
    const isStart = s.id === "start", isEnd = s.id === "end";
    out.push(`<g class="state" data-id="${escapeXml(s.id)}">`);
    out.push(`<rect x="${s.x}" y="${s.y}" width="${s.width}" height="${s.height}" rx="10" fill="${isStart ? "#2f4f7f" : "#eef3fb"}" stroke="#2f4f7f" stroke-width="${isEnd ? 3 : 1.3}"/>`);
    if (isEnd) out.push(`<rect x="${s.x + 3}" y="${s.y + 3}" width="${s.width - 6}" height="${s.height - 6}" rx="8" fill="none" stroke="white" stroke-width="1"/>`);
    out.push(stateText(s, isStart ? "white" : "#111"));
    out.push(`</g>`);
  }
  for (const e of layout.edges) {
    if (e.label === undefined) continue;
    out.push(edgeLabelText(e));
  }
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

/** A state's label, one tspan per wrapped line, centred in its box (the font is the svg element's). */
export function stateText(s: PlacedState, fill: string): string {
  const top = s.y + s.height / 2 - ((s.lines.length - 1) * LABEL_LINE_PX) / 2 + 4;
  const lines = s.lines.map((line, i) => `<tspan x="${s.x + s.width / 2}" y="${top + i * LABEL_LINE_PX}">${escapeXml(line)}</tspan>`);
  // data-label: the whole label, unwrapped, for tests and scripts reading the picture.
  return `<text class="state-label" data-label="${escapeXml(stateLabel(s))}" text-anchor="middle" fill="${fill}">${lines.join("")}</text>`;
}

/** An edge's label, haloed in white so a curve under it does not cross the text. */
export function edgeLabelText(e: PlacedEdge): string {
  return `<text class="label" x="${e.labelX}" y="${e.labelY}" text-anchor="middle" fill="#333" stroke="white" stroke-width="3" paint-order="stroke">${escapeXml(e.label ?? "")}</text>`;
}
