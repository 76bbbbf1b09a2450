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

/** `file:line:col - error NWC1001: message (fix)`: the one-line form printed by the CLI. */
export function formatDiagnostic(d: NwcDiagnostic): string {
  return `${d.file}:${d.line}:${d.column} - error ${d.code}: ${d.message} \`${d.expression}\`. Fix: ${d.fix}`;
}
