/**
 * `nwc build [-p tsconfig.json] [--json]`: type-check, effect-check, compile
 * and emit (compiler/index.ts `compileProject`). Diagnostics print one per line
 * (`file:line:col - error NWC1001: ...`) or as JSON with --json; any
 * diagnostic means exit 1 and nothing is written, so a pipeline never ships a
 * half-checked build.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs, UsageError } from "../graph/args.ts";
import { loadCompiler } from "../graph/compiler.ts";
import { printDiagnostics } from "./check.ts";

export const summary = "type-check, effect-check, compile orchestrations and emit JavaScript";

const USAGE = "usage: nwc build [-p tsconfig.json] [--outDir dir] [--json]";

export async function run(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) { console.log(USAGE); return 0; }
  let flags;
  try {
    ({ flags } = parseArgs(args, { values: ["-p", "--project", "--outDir"], booleans: ["--json"], usage: USAGE }));
  } catch (e) {
    if (e instanceof UsageError) { console.error(`nwc build: ${e.message}`); return 2; }
    throw e;
  }
  const json = flags["--json"] === true;
  const tsconfigPath = path.resolve(String(flags["-p"] ?? flags["--project"] ?? "tsconfig.json"));
  const outDir = typeof flags["--outDir"] === "string" ? path.resolve(flags["--outDir"]) : undefined;
  const compiler = await loadCompiler();
  // The command writes the outputs itself, only once it knows there is no diagnostic.
  const result = compiler.compileProject({ tsconfigPath, noWrite: true, ...(outDir ? { outDir } : {}) });
  if (result.diagnostics.length > 0) {
    printDiagnostics(result.diagnostics, json);
    return 1;
  }
  for (const output of result.outputs) {
    mkdirSync(path.dirname(output.fileName), { recursive: true });
    writeFileSync(output.fileName, output.text);
  }
  if (json) console.log(JSON.stringify([], null, 2));
  else console.log(`nwc build: ${result.machines.length} orchestration${result.machines.length === 1 ? "" : "s"} compiled, ${result.outputs.length} file${result.outputs.length === 1 ? "" : "s"} written`);
  return 0;
}
