/**
 * Source maps of compiled files. TypeScript maps its own emit; nwc then puts
 * the step-function table (the prelude) above it, which moves every line down.
 * `withPrelude` rewrites TypeScript's map for the final file: the prelude's lines
 * map to the source lines their code came from (given per line by the caller),
 * and TypeScript's mappings follow, moved down by the prelude's line count.
 * Machine placeholders are replaced within one line, so no other line moves.
 *
 * Only what stack traces need is kept: segments of [generated column, source,
 * original line, original column] (names dropped). Browser-safe: no `node:` import.
 */

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** One mapping segment with absolute values: [generated column, source index, original line, original column]. */
type Segment = [number, number, number, number];

export interface RawSourceMap {
  version: 3;
  file?: string;
  sourceRoot?: string;
  sources: string[];
  sourcesContent?: (string | null)[];
  names?: string[];
  mappings: string;
}

function decodeVlq(text: string, at: { i: number }): number {
  let value = 0, shift = 0, digit: number;
  do {
    const d = DIGIT.get(text[at.i++]!);
    if (d === undefined) throw new Error(`source map: bad base64 digit at ${at.i - 1}`);
    digit = d;
    value += (digit & 31) << shift;
    shift += 5;
  } while (digit & 32);
  return value & 1 ? -(value >>> 1) : value >>> 1;
}

function encodeVlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1, out = "";
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += BASE64[digit];
  } while (v > 0);
  return out;
}

/** The segments of each generated line, with absolute values (segments without a source are dropped). */
export function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let source = 0, line = 0, column = 0;
  for (const text of mappings.split(";")) {
    const segments: Segment[] = [];
    let generated = 0;
    for (const part of text.split(",")) {
      if (part === "") continue;
      const at = { i: 0 };
      generated += decodeVlq(part, at);
      if (at.i >= part.length) continue;
      source += decodeVlq(part, at);
      line += decodeVlq(part, at);
      column += decodeVlq(part, at);
      segments.push([generated, source, line, column]);
    }
    lines.push(segments);
  }
  return lines;
}

export function encodeMappings(lines: Segment[][]): string {
  let source = 0, line = 0, column = 0;
  return lines.map((segments) => {
    let generated = 0;
    return segments.map(([g, s, l, c]) => {
      const text = encodeVlq(g - generated) + encodeVlq(s - source) + encodeVlq(l - line) + encodeVlq(c - column);
      generated = g; source = s; line = l; column = c;
      return text;
    }).join(",");
  }).join(";");
}

/**
 * TypeScript's map of `js`, rewritten for `prelude + js`. `preludeLines[i]` is
 * the 1-based source line the prelude's line i came from (undefined: unmapped).
 */
export function withPrelude(map: RawSourceMap, preludeLines: readonly (number | undefined)[]): RawSourceMap {
  const head: Segment[][] = preludeLines.map((line) => (line === undefined ? [] : [[0, 0, line - 1, 0]]));
  return { ...map, names: [], mappings: encodeMappings([...head, ...decodeMappings(map.mappings)]) };
}

/** A map as the data URL comment that ends a file with an inline map. */
export function inlineSourceMapComment(map: RawSourceMap): string {
  const json = JSON.stringify(map);
  const base64 = typeof Buffer !== "undefined" ? Buffer.from(json, "utf8").toString("base64") : btoa(unescape(encodeURIComponent(json)));
  return `//# sourceMappingURL=data:application/json;base64,${base64}`;
}
