/**
 * The CLI's view of the compiler (compiler/index.ts): its declared API, loaded
 * lazily so that `nwc check` and `nwc --help` start without it, and so that a
 * missing compiler is a clear error instead of an import crash.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { NwcDiagnostic } from "../../compiler/diagnostics.ts";
import type { MachineGraph } from "../../runtime/machine.ts";
import { ownModuleUrl } from "../../runtime/package-layout.ts";

export interface CompiledMachine { name: string; file: string; version: string; graph: MachineGraph }
export interface CompileResult {
  outputs: { fileName: string; text: string }[];
  machines: CompiledMachine[];
  diagnostics: NwcDiagnostic[];
}
export interface Compiler {
  compileSource(fileName: string, text: string, options?: { compilerOptions?: import("typescript").CompilerOptions; nodeProject?: boolean }): CompileResult;
  compileProject(options: { tsconfigPath?: string; rootNames?: string[]; outDir?: string; noWrite?: boolean }): CompileResult;
  /** Type check, rules and translation checks of `files` in `program`, without emitting. */
  analyze?(program: import("typescript").Program, files: readonly string[]): { diagnostics: NwcDiagnostic[] };
}

export async function loadCompiler(): Promise<Compiler> {
  const url = ownModuleUrl("../../compiler/index.ts", import.meta.url);
  if (existsSync(fileURLToPath(url))) return (await import(url.href)) as Compiler;
  throw new Error("the nwc compiler (compiler/index) is missing from this installation; reinstall nwc");
}
