/**
 * `nwc build [-p tsconfig.json] [--json]`: type-check, effect-check, compile
 * and emit (compiler/index.ts `compileProject`). Diagnostics print one per line
 * (`file:line:col - error NWC1001: ...`) or as JSON with --json; any
 * diagnostic means exit 1 and nothing is written, so a pipeline never ships a
 * half-checked build. With `--against <previous build | store>` it also reports what the
 * build does to the await points and waiting instances (cli/upgrade/against.ts);
 * `--fail-on-strand` exits 1 if some waiting instance could not be carried.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs, UsageError } from "../graph/args.ts";
import { loadCompiler } from "../graph/compiler.ts";
import { printDiagnostics } from "./check.ts";
import { buildReport, isStoreDir, reportText, strandedCount } from "../upgrade/against.ts";

export const summary = "type-check, effect-check, compile orchestrations and emit JavaScript";

const USAGE = "usage: nwc build [-p tsconfig.json] [--outDir dir] [--json] [--against <previous build dir | store dir>]... [--fail-on-strand]";

export async function run(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) { console.log(USAGE); return 0; }
  let flags;
  // --against may be given several times (a previous build and a store): taken out before the one-value parser.
  const against: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--against") {
      const dir = args[++i];
      if (dir === undefined) { console.error(`nwc build: --against needs a directory\n${USAGE}`); return 2; }
      against.push(path.resolve(dir));
    } else if (args[i]!.startsWith("--against=")) against.push(path.resolve(args[i]!.slice("--against=".length)));
    else rest.push(args[i]!);
  }
  try {
    ({ flags } = parseArgs(rest, { values: ["-p", "--project", "--outDir"], booleans: ["--json", "--fail-on-strand"], usage: USAGE }));
  } catch (e) {
    if (e instanceof UsageError) { console.error(`nwc build: ${e.message}`); return 2; }
    throw e;
  }
  const json = flags["--json"] === true;
  for (const dir of against) {
    if (!existsSync(dir)) { console.error(`nwc build: --against ${dir}: no such directory; give a previous build's output directory or a store directory (.nwc)`); return 2; }
  }
  if (flags["--fail-on-strand"] === true && !against.some(isStoreDir)) {
    console.error("nwc build: --fail-on-strand needs a store to look at (--against .nwc) and the builds its instances run (--against <previous build>)");
    return 2;
  }
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
  const reports = against.length > 0 ? await buildReport(result.machines, against) : undefined;
  if (json) console.log(JSON.stringify(reports ? { diagnostics: [], upgrade: reports } : [], null, 2));
  else {
    console.log(`nwc build: ${result.machines.length} orchestration${result.machines.length === 1 ? "" : "s"} compiled, ${result.outputs.length} file${result.outputs.length === 1 ? "" : "s"} written`);
    if (reports) console.log(reportText(reports));
  }
  if (reports && flags["--fail-on-strand"] === true) {
    const stranded = strandedCount(reports);
    if (stranded > 0) {
      console.error(`nwc build: ${stranded} waiting instance${stranded === 1 ? "" : "s"} could not be carried to this build (--fail-on-strand)`);
      return 1;
    }
  }
  return 0;
}
