/**
 * Diagnostics as the command line and compile-on-load print them: each in the
 * pretty form (source line and caret, then the fix), separated by blank lines,
 * then the count. Reads each file once to show its lines (Node only).
 */
import { readFileSync } from "node:fs";
import { formatDiagnosticPretty, type NwcDiagnostic } from "./diagnostics.ts";

export function printableDiagnostics(diagnostics: readonly NwcDiagnostic[], readFile: (path: string) => string | undefined = readOrUndefined): string {
  const texts = new Map<string, string[] | undefined>();
  const lineOf = (file: string, line: number) => {
    if (!texts.has(file)) texts.set(file, readFile(file)?.split(/\r?\n/));
    return texts.get(file)?.[line - 1];
  };
  const blocks = diagnostics.map((d) => formatDiagnosticPretty(d, lineOf(d.file, d.line)));
  return `${blocks.join("\n\n")}\n\n${diagnostics.length} error${diagnostics.length === 1 ? "" : "s"}`;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
