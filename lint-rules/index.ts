/**
 * The effect, determinism, serializability and critical-section rules shared
 * by the compiler (`nwc build`, `nwc check`) and the ESLint plugin.
 * `checkProgram` runs every rule over the code the program's orchestrations
 * execute (see analyze.ts) and returns diagnostics sorted by file and position.
 */
import type ts from "typescript";
import type { NwcDiagnostic } from "../compiler/diagnostics.ts";
import { analyzeProgram, type Finding } from "./analyze.ts";
import { RULES } from "./rules/index.ts";

export { RULES } from "./rules/index.ts";
export type { Finding } from "./analyze.ts";
export type { RuleDefinition } from "./rule.ts";

export interface CheckOptions {
  /**
   * Only report diagnostics in these files, plus those elsewhere that orchestrations of
   * these files reach (a helper module's `Date.now()` is an error of the orchestration
   * that calls it, even when only the orchestration's file is being compiled).
   * Default: every finding of the program.
   */
  files?: readonly string[];
}

const cache = new WeakMap<ts.Program, Finding[]>();

/** All findings of all rules for `program`, computed once per program object. */
export function findingsOf(program: ts.Program): Finding[] {
  let findings = cache.get(program);
  if (!findings) {
    findings = analyzeProgram(program, RULES);
    cache.set(program, findings);
  }
  return findings;
}

function normalize(path: string): string {
  return path.replace(/\\/g, "/");
}

export function checkProgram(program: ts.Program, options: CheckOptions = {}): NwcDiagnostic[] {
  const only = options.files ? new Set(options.files.map((f) => normalize(f))) : undefined;
  return findingsOf(program)
    .filter((f) => !only || only.has(normalize(f.file)) || only.has(normalize(f.rootFile)))
    .map(({ code, file, line, column, endLine, endColumn, message, expression, fix }) => ({ code, file, line, column, endLine, endColumn, message, expression, fix }));
}
