/**
 * MachineGraph -> a standalone SVG picture, drawn from layout.ts's layered
 * layout: rounded boxes for states (start filled, end doubled), curves with
 * arrowheads for transitions (loops dashed, on the right), labels on edges.
 *
 * Invariant: the output is well-formed XML; every text comes through `escapeXml`.
 */
import type { MachineGraph } from "../../runtime/machine.ts";
import { layoutGraph, stateLabel } from "./layout.ts";

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

export function toSvg(name: string, graph: MachineGraph): string {
  const layout = layoutGraph(graph);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="sans-serif" font-size="12">`,
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
    out.push(`<text x="${s.x + s.width / 2}" y="${s.y + s.height / 2 + 4}" text-anchor="middle" fill="${isStart ? "white" : "#111"}">${escapeXml(stateLabel(s))}</text>`);
    out.push(`</g>`);
  }
  for (const e of layout.edges) {
    if (e.label === undefined) continue;
    out.push(`<text class="label" x="${e.labelX}" y="${e.labelY}" text-anchor="middle" fill="#333" stroke="white" stroke-width="3" paint-order="stroke">${escapeXml(e.label)}</text>`);
  }
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
