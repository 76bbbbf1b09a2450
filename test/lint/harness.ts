/**
 * In-memory programs for rule tests: virtual source files under /virtual/,
 * "nwc" resolved to the real runtime/index.ts (which the rules treat as the
 * package it is, lint-rules/discover.ts isUserFile), lib and @types/node read
 * from disk once and shared by every program of the test process.
 */
import ts from "typescript";
import { fileURLToPath } from "node:url";
import { findingsOf, type Finding } from "../../lint-rules/index.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const API_FILE = `${ROOT}runtime/index.ts`;
export const VIRTUAL = "/virtual/";

export const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.esnext.disposable.d.ts"],
  types: ["node"],
  typeRoots: [`${ROOT}node_modules/@types`],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
};

const shared = new Map<string, ts.SourceFile | undefined>();
const baseHost = ts.createCompilerHost(OPTIONS, true);
/**
 * Resolutions of imports in files on disk (the runtime behind "nwc", @types/node), which are the same in every
 * program: resolved once per process (resolving the runtime's imports again took ~0.4 s per program).
 * Imports of the virtual files are resolved anew, since each program has its own.
 */
const sharedResolutions = new Map<string, ts.ResolvedModuleFull | undefined>();

export function programOf(files: Record<string, string>): ts.Program {
  const virtual = new Map(Object.entries(files).map(([name, text]) => [VIRTUAL + name, text]));
  const host: ts.CompilerHost = {
    ...baseHost,
    fileExists: (f) => virtual.has(f) || baseHost.fileExists(f),
    directoryExists: (d) => {
      const dir = d.endsWith("/") ? d : `${d}/`;
      return VIRTUAL.startsWith(dir) || [...virtual.keys()].some((f) => f.startsWith(dir)) || (baseHost.directoryExists?.(d) ?? true);
    },
    readFile: (f) => virtual.get(f) ?? baseHost.readFile(f),
    getSourceFile(f, lang) {
      const text = virtual.get(f);
      if (text !== undefined) return ts.createSourceFile(f, text, lang, true);
      if (!shared.has(f)) shared.set(f, baseHost.getSourceFile(f, lang));
      return shared.get(f);
    },
    resolveModuleNameLiterals(literals, containingFile, _redirect, options) {
      return literals.map((lit) => {
        if (lit.text === "nwc") return { resolvedModule: { resolvedFileName: API_FILE, extension: ts.Extension.Ts, isExternalLibraryImport: false } };
        if (containingFile.startsWith(VIRTUAL)) return { resolvedModule: ts.resolveModuleName(lit.text, containingFile, options, host).resolvedModule };
        const key = `${containingFile}\0${lit.text}`;
        if (!sharedResolutions.has(key)) sharedResolutions.set(key, ts.resolveModuleName(lit.text, containingFile, options, host).resolvedModule);
        return { resolvedModule: sharedResolutions.get(key) };
      });
    },
  };
  return ts.createProgram([...virtual.keys()].filter((f) => !f.includes("/node_modules/")), OPTIONS, host);
}

export interface CaseResult {
  findings: Finding[];
  /** Type errors of the virtual files: a test program that does not type-check proves nothing. */
  typeErrors: string[];
}

/** Builds one program for `files` (a single string is "main.ts") and returns its findings and type errors. */
export function analyze(files: Record<string, string> | string): CaseResult {
  const program = programOf(typeof files === "string" ? { "main.ts": files } : files);
  const virtualFiles = program.getSourceFiles().filter((sf) => sf.fileName.startsWith(VIRTUAL) && !sf.fileName.includes("/node_modules/"));
  const typeErrors = virtualFiles
    .flatMap((sf) => [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)])
    .map((d) => `${d.file!.fileName}:${d.file!.getLineAndCharacterOfPosition(d.start!).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
  return { findings: findingsOf(program).filter((f) => f.file.startsWith(VIRTUAL)), typeErrors };
}

export function check(files: Record<string, string> | string): Finding[] {
  return analyze(files).findings;
}

/** `code@line:column` for compact assertions. */
export function summary(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.code}@${f.line}:${f.column}`);
}
