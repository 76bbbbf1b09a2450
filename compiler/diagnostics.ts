/**
 * Diagnostics shared by the compiler (`nwc build`/`nwc check`) and the ESLint
 * plugin: a stable code, a location, the offending expression and the fix.
 * Codes: NWC1xxx effects and determinism, NWC2xxx serializability,
 * NWC3xxx constructs the compiler cannot translate, NWC4xxx critical-section rules.
 */
export interface NwcDiagnostic {
  /** Stable code, e.g. "NWC1001". */
  code: string;
  /** Path of the file, as the TypeScript program names it. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** 1-based end position (for editors). */
  endLine: number;
  endColumn: number;
  /** What is wrong, in one sentence. */
  message: string;
  /** The offending source text. */
  expression: string;
  /** How to fix it, e.g. "use ctx.now()". */
  fix: string;
}

/** TypeScript's own errors carry TypeScript's text; nwc adds no fix of its own to them. */
function hasFix(d: NwcDiagnostic): boolean {
  return d.fix !== "" && !d.code.startsWith("TS");
}

/** `file:line:col - error NWC1001: message. Fix: fix`: the one-line form (logs, --json consumers, ESLint's text). */
export function formatDiagnostic(d: NwcDiagnostic): string {
  return `${d.file}:${d.line}:${d.column} - error ${d.code}: ${d.message}${hasFix(d) ? `. Fix: ${d.fix}` : ""}`;
}

/**
 * The form people read, like tsc's pretty output: the location and message,
 * the source line with its number and a caret run under the span, then the fix.
 * `sourceLine` is the text of line `d.line` (the caller reads the file).
 */
export function formatDiagnosticPretty(d: NwcDiagnostic, sourceLine: string | undefined): string {
  const lines = [`${d.file}:${d.line}:${d.column} - error ${d.code}: ${d.message}`];
  if (sourceLine !== undefined) {
    const gutter = String(d.line);
    const text = sourceLine.replace(/\t/g, " ").replace(/\s+$/, "");
    const start = Math.min(Math.max(d.column - 1, 0), text.length);
    const end = d.endLine === d.line ? Math.max(d.endColumn - 1, start + 1) : text.length;
    lines.push("", `${gutter} ${text}`, `${" ".repeat(gutter.length)} ${" ".repeat(start)}${"~".repeat(Math.max(1, Math.min(end, text.length) - start))}`);
  }
  if (hasFix(d)) lines.push(`  fix: ${d.fix}`);
  return lines.join("\n");
}
