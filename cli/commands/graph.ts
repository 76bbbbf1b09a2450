/**
 * `nwc graph <file> <orchestration> [--format xstate|mermaid|svg] [--out path] [-p tsconfig.json]`:
 * compiles the file and renders the orchestration's control graph (states are
 * await points) as an xstate v5 machine config (JSON), Mermaid stateDiagram
 * text, or an SVG picture (cli/graph/).
 *
 * Without --format: with --out, writes all three next to it (<out>.xstate.json,
 * <out>.mmd, <out>.svg); without --out, prints all three to stdout, each under
 * a `// <format>` header line. With --format, prints that one, or writes it to --out.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import type { MachineGraph } from "../../runtime/machine.ts";
import { printableDiagnostics } from "../../compiler/print.ts";
import { parseArgs, UsageError } from "../graph/args.ts";
import { loadCompiler, type CompileResult } from "../graph/compiler.ts";
import { toMermaid } from "../graph/mermaid.ts";
import { toSvg } from "../graph/svg.ts";
import { toXstateConfig } from "../graph/xstate.ts";

export const summary = "draw an orchestration's compiled state machine (xstate JSON, Mermaid, SVG)";

const USAGE = "usage: nwc graph <file> <orchestration> [--format xstate|mermaid|svg] [--out path] [-p tsconfig.json]";
const FORMATS = { xstate: ".xstate.json", mermaid: ".mmd", svg: ".svg" } as const;
type Format = keyof typeof FORMATS;

export function render(format: Format, name: string, graph: MachineGraph): string {
  if (format === "xstate") return JSON.stringify(toXstateConfig(name, graph), null, 2) + "\n";
  if (format === "mermaid") return toMermaid(name, graph);
  return toSvg(name, graph);
}

export async function run(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) { console.log(USAGE); return 0; }
  let parsed;
  try {
    parsed = parseArgs(args, { values: ["--format", "--out", "-p", "--project"], booleans: [], usage: USAGE });
    if (parsed.positionals.length !== 2) throw new UsageError(`expected a file and an orchestration name\n${USAGE}`);
    const f = parsed.flags["--format"];
    if (f !== undefined && !(String(f) in FORMATS)) throw new UsageError(`unknown --format "${String(f)}"; use xstate, mermaid or svg`);
  } catch (e) {
    if (e instanceof UsageError) { console.error(`nwc graph: ${e.message}`); return 2; }
    throw e;
  }
  const [file, orchestrationName] = parsed.positionals as [string, string];
  const fileName = path.resolve(file);
  if (!existsSync(fileName)) { console.error(`nwc graph: ${file} does not exist`); return 2; }
  const compiler = await loadCompiler();
  const project = parsed.flags["-p"] ?? parsed.flags["--project"];
  // The file's own compiler options (types, lib, module resolution) come from its tsconfig:
  // -p, or the nearest tsconfig.json above the file.
  const tsconfigPath = typeof project === "string" ? path.resolve(project) : ts.findConfigFile(path.dirname(fileName), ts.sys.fileExists);
  const compilerOptions = tsconfigPath ? readCompilerOptions(tsconfigPath) : undefined;
  // Checked as `nwc run` and compile on load check it: a file of a Node project ("nwc" whole, visible @types).
  const result: CompileResult = compiler.compileSource(fileName, readFileSync(fileName, "utf8"), { nodeProject: true, ...(compilerOptions ? { compilerOptions } : {}) });
  const machine = result.machines.find((m) => m.name === orchestrationName);
  if (!machine) {
    if (result.diagnostics.length > 0) console.error(printableDiagnostics(result.diagnostics.map((d) => ({ ...d, file: path.relative(process.cwd(), d.file) || d.file }))));
    const names = result.machines.map((m) => m.name);
    console.error(`nwc graph: no orchestration "${orchestrationName}" compiled from ${file}; ${names.length ? `found: ${names.join(", ")}` : "it defines none that compiled"}`);
    return 1;
  }
  const format = parsed.flags["--format"] as Format | undefined;
  const out = parsed.flags["--out"] as string | undefined;
  if (format) {
    const text = render(format, machine.name, machine.graph);
    if (out) write(out, text); else process.stdout.write(text);
    return 0;
  }
  for (const f of Object.keys(FORMATS) as Format[]) {
    const text = render(f, machine.name, machine.graph);
    if (out) write(out.replace(/\.(xstate\.json|json|mmd|svg)$/, "") + FORMATS[f], text);
    else process.stdout.write(`// ${f}\n${text}\n`);
  }
  return 0;
}

function readCompilerOptions(tsconfigPath: string): ts.CompilerOptions {
  const read = ts.readConfigFile(tsconfigPath, ts.sys.readFile);
  if (read.error) throw new Error(`cannot read ${tsconfigPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, "\n")}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(tsconfigPath), undefined, tsconfigPath);
  return { ...parsed.options, noEmit: false };
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, text);
  console.error(`nwc graph: wrote ${file}`);
}
