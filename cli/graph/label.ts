/**
 * State labels as drawn: the awaited expression and its source line, wrapped
 * into lines of at most MAX_LINE_CHARS, in a monospace font. Monospace because
 * a label is code, and because its width is then known without a renderer:
 * `nwc graph` runs in Node, which has no text metrics, and a box sized from
 * an estimate of a proportional font either clips its text or wastes room.
 * The browser may pass its own measure (canvas measureText) to be exact.
 *
 * Invariant: wrapping only splits a label, never drops a character:
 * `wrapLabel(s).join("")` equals `s` up to the spaces at the breaks.
 */

/** Font of state labels, shared by every renderer so that measures match what is drawn. */
export const LABEL_FONT_FAMILY = "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace";
export const LABEL_FONT_SIZE_PX = 12;
/** Line height of wrapped labels. */
export const LABEL_LINE_PX = 16;
/**
 * Longest line before a label wraps: about a 450 px box, so that one long
 * `await Promise.all([...])` does not make the whole graph as wide as the code line.
 */
export const MAX_LINE_CHARS = 56;
/**
 * Advance of one monospace glyph in em: 0.6 for DejaVu Sans Mono, Menlo and
 * Courier, 0.55 for Consolas; rounded up so an estimate never clips.
 */
const MONO_ADVANCE_EM = 0.62;

/** Width in px of one line of text. */
export type MeasureText = (line: string) => number;

/** The Node-side measure: columns times the monospace advance (wide East Asian glyphs and emoji count two columns). */
export const estimateMonospaceWidth: MeasureText = (line) => columns(line) * MONO_ADVANCE_EM * LABEL_FONT_SIZE_PX;

function columns(line: string): number {
  let n = 0;
  for (const ch of line) n += ch.codePointAt(0)! >= 0x1100 && /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1FAFF}\u{20000}-\u{3FFFD}]/u.test(ch) ? 2 : 1;
  return n;
}

export function stateLabel(s: { label: string; line?: number }): string {
  return s.line !== undefined ? `${s.label} (line ${s.line})` : s.label;
}

/** The lines a state's box shows: its label wrapped, then `(line N)` kept whole, on the last line if it fits. */
export function stateLabelLines(s: { label: string; line?: number }, maxChars = MAX_LINE_CHARS): string[] {
  const lines = wrapLabel(s.label, maxChars);
  if (s.line === undefined) return lines;
  const suffix = `(line ${s.line})`;
  const last = lines.at(-1)!;
  if ([...last].length + 1 + suffix.length <= maxChars) lines[lines.length - 1] = `${last} ${suffix}`;
  else lines.push(suffix);
  return lines;
}

/**
 * Splits a label into lines of at most `maxChars`, preferring to break after
 * a space, a comma or an opening bracket; a token longer than a line is cut.
 */
export function wrapLabel(text: string, maxChars = MAX_LINE_CHARS): string[] {
  const lines: string[] = [];
  let rest = text;
  while ([...rest].length > maxChars) {
    const head = [...rest].slice(0, maxChars).join("");
    let cut = Math.max(head.lastIndexOf(" "), head.lastIndexOf(","), head.lastIndexOf("("), head.lastIndexOf("["), head.lastIndexOf("{"));
    // A break in the first third would leave a stub line; cut the token instead.
    cut = cut >= maxChars / 3 ? cut + 1 : head.length;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || lines.length === 0) lines.push(rest);
  return lines;
}
