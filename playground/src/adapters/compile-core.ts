/**
 * Compile adapter: the one place the playground calls the compiler
 * (compiler/index.ts `compileSource`). Loaded lazily through
 * `import.meta.glob`, so a build without the compiler still serves a page that
 * says so instead of failing. Runs inside the compile worker.
 *
 * Invariant: always resolves with a `CompileView`; a compiler crash becomes
 * one diagnostic at line 1 with the crash's message.
 */
import type { NwcDiagnostic } from "../../../compiler/diagnostics.ts";
import type { MachineGraph } from "../../../runtime/machine.ts";

export const PROGRAM_FILE = "/playground/program.ts";

export interface CompileView {
  outputs: { fileName: string; text: string }[];
  machines: { name: string; file: string; version: string; graph: MachineGraph }[];
  diagnostics: NwcDiagnostic[];
  /** Time the compiler took, in ms. */
  elapsedMs: number;
}

type CompileSource = (fileName: string, text: string, options?: unknown) => Omit<CompileView, "elapsedMs">;

const compilerModules = import.meta.glob("../../../compiler/index.ts");

/** TypeScript's lib declarations (ES only: orchestrations see no DOM), served from "/lib" as the compiler expects outside Node. */
const libTexts = import.meta.glob(["../../../node_modules/typescript/lib/lib.es*.d.ts", "../../../node_modules/typescript/lib/lib.decorators*.d.ts"], { query: "?raw", import: "default", eager: true }) as Record<string, string>;
import apiText from "../../../runtime/api.ts?raw";
import machineText from "../../../runtime/machine.ts?raw";
import codecText from "../../../runtime/codec.ts?raw";
import backendTypesText from "../../../runtime/backends/types.ts?raw";

/** Where "nwc" resolves in the in-memory program; the path ends in runtime/api.ts, which is how the checks recognise the author API. */
const NWC_PATH = "/nwc/runtime/api.ts";

function browserFiles(): Record<string, string> {
  // The author API and the files it imports (machine types, the codec's registerClass and its Json type).
  const files: Record<string, string> = {
    [NWC_PATH]: apiText,
    "/nwc/runtime/machine.ts": machineText,
    "/nwc/runtime/codec.ts": codecText,
    "/nwc/runtime/backends/types.ts": backendTypesText,
  };
  for (const [path, text] of Object.entries(libTexts)) files[`/lib/${path.slice(path.lastIndexOf("/") + 1)}`] = text;
  return files;
}

let files: Record<string, string> | undefined;

let compilerPromise: Promise<CompileSource> | undefined;

function loadCompiler(): Promise<CompileSource> {
  const load = Object.values(compilerModules)[0];
  if (!load) return Promise.reject(new Error("this build of the playground has no compiler (compiler/index.ts was missing when it was built); rebuild with `nwc playground --rebuild`"));
  return (compilerPromise ??= load().then((m: any) => {
    if (typeof m.compileSource !== "function") throw new Error("compiler/index.ts does not export compileSource(fileName, text, options)");
    return m.compileSource as CompileSource;
  }));
}

export function crashDiagnostic(error: unknown): NwcDiagnostic {
  const message = error instanceof Error ? error.message : String(error);
  return { code: "NWC0000", file: PROGRAM_FILE, line: 1, column: 1, endLine: 1, endColumn: 1, message: `the compiler failed: ${message}`, expression: "", fix: "report this with the program that causes it" };
}

export async function compileProgram(text: string): Promise<CompileView> {
  const started = performance.now();
  try {
    const compileSource = await loadCompiler();
    const r = compileSource(PROGRAM_FILE, text, { files: (files ??= browserFiles()), nwcPath: NWC_PATH });
    return { outputs: r.outputs, machines: r.machines, diagnostics: r.diagnostics, elapsedMs: performance.now() - started };
  } catch (e) {
    return { outputs: [], machines: [], diagnostics: [crashDiagnostic(e)], elapsedMs: performance.now() - started };
  }
}
