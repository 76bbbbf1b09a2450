/**
 * The compiler API: `compileSource` (in-memory, browser-safe) and
 * `compileProject` (Node, tsconfig-based; in project.ts), both returning
 * `{ outputs, machines, diagnostics }`.
 *
 * Pipeline: TypeScript type check -> effect and serializability checks
 * (lint-rules `checkProgram`) -> discovery (discover.ts) -> NWC3xxx checks and
 * lowerings (transforms/) -> TypeScript emit with the machines spliced in.
 *
 * Invariant: with any diagnostic, nothing is emitted (`outputs` is empty).
 */
import ts from "typescript";
import { checkProgram } from "../lint-rules/index.ts";
import type { NwcDiagnostic } from "./diagnostics.ts";
import { discover } from "./discover.ts";
import { finishOutput, finishSourceMap, planFiles, spliceTransformer, type CompiledMachineInfo, type EmitOptions, type FilePlan } from "./emit.ts";
import { emitsCommonJs } from "./module-format.ts";
import { createMemoryProgram, type MemoryProgramOptions } from "./program.ts";
import { DEFAULT_ENGINE_SPECIFIER, stepCountingTransformer, withEngineImport } from "./transforms/step-counting.ts";

export type { NwcDiagnostic } from "./diagnostics.ts";
export { formatDiagnostic } from "./diagnostics.ts";
export type { CompiledMachineInfo } from "./emit.ts";
export { discover, isCtxMethodCall, ctxMethodOf, isOrchestrationCall } from "./discover.ts";

export interface CompileResult {
  outputs: { fileName: string; text: string }[];
  machines: CompiledMachineInfo[];
  diagnostics: NwcDiagnostic[];
  /**
   * compileSources only: the user files the program read (the sources and the
   * modules they import, outside node_modules and the TypeScript libs). The
   * checks follow calls into them, so a cached result is valid only while none changed.
   */
  inputs?: string[];
}

export interface CompileSourceOptions extends MemoryProgramOptions, EmitOptions {
  /** Skip the effect checks (lint-rules); used by tests that compile generated programs. */
  skipEffectChecks?: boolean;
  /** Skip the TypeScript type check (the program must still parse). */
  skipTypeCheck?: boolean;
}

export function tsDiagnostic(d: ts.Diagnostic): NwcDiagnostic {
  const file = d.file;
  const start = file && d.start !== undefined ? file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
  const end = file && d.start !== undefined ? file.getLineAndCharacterOfPosition(d.start + (d.length ?? 0)) : start;
  return {
    code: `TS${d.code}`, file: file?.fileName ?? "<project>", line: start.line + 1, column: start.character + 1,
    endLine: end.line + 1, endColumn: end.character + 1,
    message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
    expression: file && d.start !== undefined ? file.text.slice(d.start, d.start + Math.min(d.length ?? 0, 80)) : "",
    fix: "fix the TypeScript error",
  };
}

/** Type check, effect checks, translation: the diagnostics of `files` in `program`, and each file's plan. */
export function analyze(program: ts.Program, files: readonly string[], options: CompileSourceOptions = {}): { plans: Map<string, FilePlan>; diagnostics: NwcDiagnostic[] } {
  const diagnostics: NwcDiagnostic[] = [];
  const wanted = new Set(files);
  for (const name of files) {
    const sf = program.getSourceFile(name);
    if (!sf) {
      diagnostics.push({ code: "NWC3000", file: name, line: 1, column: 1, endLine: 1, endColumn: 1, message: "file not found in the program", expression: "", fix: "check the path" });
      continue;
    }
    diagnostics.push(...program.getSyntacticDiagnostics(sf).map(tsDiagnostic));
    if (!options.skipTypeCheck) diagnostics.push(...program.getSemanticDiagnostics(sf).map(tsDiagnostic));
  }
  if (!options.skipEffectChecks) diagnostics.push(...checkProgram(program, { files }));
  const plans = new Map<string, FilePlan>();
  const checker = program.getTypeChecker();
  const found = discover(program, wanted);
  const entries: { sf: ts.SourceFile; found: typeof found }[] = [];
  for (const name of files) {
    const sf = program.getSourceFile(name);
    const mine = found.filter((d) => d.sourceFile === sf);
    if (sf && mine.length > 0) entries.push({ sf, found: mine });
  }
  const planned = planFiles(entries, checker, options);
  diagnostics.push(...planned.diagnostics);
  for (const plan of planned.plans) plans.set(plan.fileName, plan);
  diagnostics.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1));
  return { plans, diagnostics };
}

/**
 * Emits `files` of `program` with machines spliced in and step counting
 * (transforms/step-counting.ts) in the rest of each ES module; `write`
 * receives every output.
 */
export function emitPlanned(program: ts.Program, files: readonly string[], plans: Map<string, FilePlan>, write: (fileName: string, text: string) => void, options: EmitOptions = {}): void {
  for (const name of files) {
    const sf = program.getSourceFile(name)!;
    const emitted = new Map<string, string>();
    const counted = { value: false };
    // CommonJS output (allowed for files without orchestrations) cannot take the engine's ES import: not counted.
    const counting = emitsCommonJs(program, sf) ? [] : [stepCountingTransformer(counted)];
    const result = program.emit(sf, (fileName, text) => emitted.set(fileName, text), undefined, false, { before: [spliceTransformer(plans), ...counting] });
    if (result.emitSkipped) throw new Error(`nwc compiler: TypeScript skipped the emit of ${name}`);
    const plan = plans.get(name);
    for (const [fileName, text] of emitted) {
      const js = /\.(m|c)?js$/.test(fileName);
      if (plan && js) write(fileName, finishOutput(text, plan));
      else if (plan && /\.(m|c)?js\.map$/.test(fileName)) write(fileName, finishSourceMap(text, plan));
      // A planned file's prelude imports the engine already.
      else if (js && counted.value) write(fileName, withEngineImport(text, options.engineSpecifier ?? DEFAULT_ENGINE_SPECIFIER));
      else write(fileName, text);
    }
  }
}

/** Compiles in-memory sources (one program for all of them). Browser-safe. */
export function compileSources(sources: { fileName: string; text: string }[], options: CompileSourceOptions = {}): CompileResult {
  for (const s of sources) {
    if (typeof s.fileName !== "string" || typeof s.text !== "string") throw new TypeError("compileSources: each source needs { fileName: string, text: string }");
  }
  const program = createMemoryProgram(sources, options);
  const files = sources.map((s) => s.fileName);
  const { plans, diagnostics } = analyze(program, files, options);
  const machines = [...plans.values()].flatMap((p) => p.infos);
  const inputs = program.getSourceFiles().map((sf) => sf.fileName).filter((name) => !program.isSourceFileDefaultLibrary(program.getSourceFile(name)!) && !name.includes("/node_modules/"));
  if (diagnostics.length > 0) return { outputs: [], machines: [], diagnostics, inputs };
  const outputs: CompileResult["outputs"] = [];
  emitPlanned(program, files, plans, (fileName, text) => outputs.push({ fileName, text }), options);
  return { outputs, machines, diagnostics, inputs };
}

/** Compiles one in-memory file (`fileName` should be absolute, e.g. "/app/main.ts"). */
export function compileSource(fileName: string, text: string, options: CompileSourceOptions = {}): CompileResult {
  return compileSources([{ fileName, text }], options);
}

export { compileProject, type CompileProjectOptions } from "./project.ts";
export { transpileCounted, type TranspileCountedOptions } from "./transpile.ts";
