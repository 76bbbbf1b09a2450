/**
 * `transpileCounted`: a user module that defines no orchestration, compiled
 * alone (types stripped, no type check) with step counting
 * (transforms/step-counting.ts), so that helpers and entity operations in it
 * are bounded by the step budget when an orchestration step or an entity
 * operation runs them. Used by compile on load (register-hooks.ts) and
 * `nwc deploy`'s bundler; `nwc build` counts the same modules in its one
 * program (index.ts `emitPlanned`).
 *
 * Invariant: the output is what `ts.transpileModule` gives, plus counts and
 * the engine import on the first line: no line moves.
 */
import ts from "typescript";
import { DEFAULT_ENGINE_SPECIFIER, stepCountingTransformer, withEngineImport } from "./transforms/step-counting.ts";

export interface TranspileCountedOptions {
  /** Module specifier of the engine (default "nwc/engine"). */
  engineSpecifier?: string;
  /** Inline source map (default true: stack traces name the .ts lines). */
  inlineSourceMap?: boolean;
}

export function transpileCounted(fileName: string, text: string, options: TranspileCountedOptions = {}): string {
  const counted = { value: false };
  const js = ts.transpileModule(text, {
    fileName,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false, sourceMap: false, inlineSourceMap: options.inlineSourceMap ?? true },
    transformers: { before: [stepCountingTransformer(counted)] },
  }).outputText;
  return counted.value ? withEngineImport(js, options.engineSpecifier ?? DEFAULT_ENGINE_SPECIFIER) : js;
}
