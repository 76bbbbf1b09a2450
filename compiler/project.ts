/**
 * `compileProject`: the tsconfig-driven build (`nwc build`). Type-checks and
 * effect-checks the project, compiles orchestrations, emits JavaScript and
 * declarations, and writes `<output>.machines.json` (each machine's name,
 * version and graph) next to each emitted file that defines machines.
 *
 * Invariant: with any diagnostic nothing is written. File access goes
 * through `ts.sys` (Node); the in-memory path is compileSource in index.ts.
 */
import ts from "typescript";
import { analyze, emitPlanned, tsDiagnostic, type CompileResult } from "./index.ts";
import { emitsCommonJs } from "./module-format.ts";

export interface CompileProjectOptions {
  tsconfigPath?: string;
  rootNames?: string[];
  outDir?: string;
  /** Return outputs without writing them (tests, dry runs). */
  noWrite?: boolean;
}

export function compileProject(options: CompileProjectOptions = {}): CompileResult {
  const sys = ts.sys;
  if (!sys) throw new Error("compileProject needs Node (ts.sys); use compileSource in a browser");
  let compilerOptions: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, strict: true, allowImportingTsExtensions: true, declaration: true, skipLibCheck: true };
  let rootNames = options.rootNames;
  const configPath = options.tsconfigPath ?? (rootNames ? undefined : ts.findConfigFile(sys.getCurrentDirectory(), sys.fileExists));
  if (configPath) {
    const read = ts.readConfigFile(configPath, sys.readFile);
    if (read.error) return { outputs: [], machines: [], diagnostics: [tsDiagnostic(read.error)] };
    const parsed = ts.parseJsonConfigFileContent(read.config, sys, configPath.replace(/[\\/][^\\/]*$/, "") || ".");
    if (parsed.errors.length) return { outputs: [], machines: [], diagnostics: parsed.errors.map(tsDiagnostic) };
    compilerOptions = parsed.options;
    rootNames ??= parsed.fileNames;
  }
  if (!rootNames || rootNames.length === 0) {
    throw new Error("compileProject: no input files; pass tsconfigPath (a tsconfig.json with include/files) or rootNames");
  }
  if (options.outDir) compilerOptions = { ...compilerOptions, outDir: options.outDir };
  compilerOptions = { ...compilerOptions, noEmit: false, emitDeclarationOnly: false };
  const program = ts.createProgram({ rootNames, options: compilerOptions });
  // The project's own files: the root names (not nwc's sources, which "nwc" may resolve to in a checkout).
  const roots = new Set(rootNames.map((n) => n.replace(/\\/g, "/")));
  const files = program.getSourceFiles()
    .filter((sf) => roots.has(sf.fileName) && !sf.isDeclarationFile)
    .map((sf) => sf.fileName);
  const { plans, diagnostics } = analyze(program, files);
  diagnostics.unshift(...program.getOptionsDiagnostics().map(tsDiagnostic), ...program.getGlobalDiagnostics().map(tsDiagnostic));
  for (const name of plans.keys()) {
    const sf = program.getSourceFile(name)!;
    const cjs = emitsCommonJs(program, sf);
    if (cjs) {
      diagnostics.push({ code: "NWC3017", file: name, line: 1, column: 1, endLine: 1, endColumn: 1, message: "orchestrations can only be compiled into ES modules, but this file is emitted as CommonJS",
        expression: "", fix: 'set "type": "module" in package.json (or use .mts), or "module": "ESNext"/"NodeNext" in tsconfig.json' });
    }
  }
  const machines = [...plans.values()].flatMap((p) => p.infos);
  if (diagnostics.length > 0) return { outputs: [], machines: [], diagnostics };
  const outputs: CompileResult["outputs"] = [];
  emitPlanned(program, files, plans, (fileName, text) => outputs.push({ fileName, text }));
  for (const [name, plan] of plans) {
    const js = outputs.find((o) => /\.m?js$/.test(o.fileName) && o.text.includes(plan.prelude.slice(0, 80)) && sameStem(o.fileName, name));
    if (js) outputs.push({ fileName: js.fileName.replace(/\.(m?)js$/, ".machines.json"), text: JSON.stringify(plan.infos, null, 2) + "\n" });
  }
  if (!options.noWrite) for (const o of outputs) sys.writeFile(o.fileName, o.text);
  return { outputs, machines, diagnostics };
}

function sameStem(out: string, src: string): boolean {
  const stem = (p: string) => p.replace(/^.*[\\/]/, "").replace(/\.(m|c)?(t|j)sx?$/, "");
  return stem(out) === stem(src);
}
