/**
 * The effect and determinism rules shared by the compiler and the ESLint plugin.
 * `checkProgram` runs every rule over the orchestrations of a program.
 */
import type ts from "typescript";
import type { NwcDiagnostic } from "../compiler/diagnostics.ts";

export interface CheckOptions {
  /** Only report diagnostics in these files (default: every non-declaration file of the program). */
  files?: readonly string[];
}

export function checkProgram(_program: ts.Program, _options: CheckOptions = {}): NwcDiagnostic[] {
  // Placeholder until the rules land: reports nothing.
  return [];
}
