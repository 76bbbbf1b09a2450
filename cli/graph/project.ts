/**
 * Loads a TypeScript project for `nwc check`: reads tsconfig.json, builds the
 * program, and turns type errors into the same diagnostic shape as the rules
 * (code `TS<number>`), so the CLI prints and serialises one kind of thing.
 *
 * Invariant: a tsconfig that cannot be read or parsed is an error with the path
 * and the reason, never an empty (and so "clean") program.
 */
import path from "node:path";
import ts from "typescript";
import type { NwcDiagnostic } from "../../compiler/diagnostics.ts";

export function loadProgram(tsconfigPath: string): ts.Program {
  const configPath = path.resolve(tsconfigPath);
  if (!ts.sys.fileExists(configPath)) {
    throw new Error(`${configPath} does not exist; pass the project's tsconfig with -p <path/to/tsconfig.json>`);
  }
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(`cannot read ${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, "\n")}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath), undefined, configPath);
  const fatal = parsed.errors.filter((e) => e.category === ts.DiagnosticCategory.Error && e.code !== 18003);
  if (fatal.length) throw new Error(`invalid ${configPath}: ${fatal.map((e) => ts.flattenDiagnosticMessageText(e.messageText, "\n")).join("; ")}`);
  if (parsed.fileNames.length === 0) throw new Error(`${configPath} includes no files; check its "include" and "files"`);
  return ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noEmit: true }, projectReferences: parsed.projectReferences });
}

export function typeDiagnostics(program: ts.Program): NwcDiagnostic[] {
  return ts.getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
      if (!d.file || d.start === undefined) {
        return { code: `TS${d.code}`, file: "", line: 0, column: 0, endLine: 0, endColumn: 0, message, expression: "", fix: "fix the type error" };
      }
      const s = d.file.getLineAndCharacterOfPosition(d.start);
      const e = d.file.getLineAndCharacterOfPosition(d.start + (d.length ?? 0));
      return {
        code: `TS${d.code}`, file: d.file.fileName, line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1,
        message, expression: d.file.text.slice(d.start, d.start + Math.min(d.length ?? 0, 80)), fix: "fix the type error",
      };
    });
}

/** Paths relative to the working directory read better in a terminal and in CI logs. */
export function relativeTo(cwd: string, d: NwcDiagnostic): NwcDiagnostic {
  return d.file ? { ...d, file: path.relative(cwd, d.file) || d.file } : d;
}
