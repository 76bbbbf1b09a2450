/**
 * `nwc check [-p tsconfig.json] [--json]`: diagnostics only, no output files.
 * Type errors and every rule of lint-rules/ (the same analysis ESLint runs);
 * exit 1 when there is any diagnostic, 2 on bad usage.
 */
import type { NwcDiagnostic } from "../../compiler/diagnostics.ts";
import { printableDiagnostics } from "../../compiler/print.ts";
import { checkProgram } from "../../lint-rules/index.ts";
import { parseArgs, UsageError } from "../graph/args.ts";
import { loadCompiler } from "../graph/compiler.ts";
import { loadProgram, relativeTo, typeDiagnostics } from "../graph/project.ts";

export const summary = "type-check and effect-check a project, without emitting";

const USAGE = "usage: nwc check [-p tsconfig.json] [--json]";

/**
 * Every diagnostic `nwc build` would report for the project at `tsconfigPath`,
 * without emitting: type errors, the rules, and the compiler's NWC3xxx checks
 * (through the compiler's `analyze`). Without a compiler module (a trimmed
 * install) it still reports type errors and the rules.
 */
export async function checkProject(tsconfigPath: string): Promise<NwcDiagnostic[]> {
  return (await checkProjectFiles(tsconfigPath)).diagnostics;
}

/** checkProject, and the files it checked. */
export async function checkProjectFiles(tsconfigPath: string): Promise<{ diagnostics: NwcDiagnostic[]; files: string[] }> {
  const program = loadProgram(tsconfigPath);
  const files = program.getRootFileNames().filter((f) => !/\.d\.[cm]?ts$/.test(f));
  const compiler = await loadCompiler().catch(() => undefined);
  if (compiler?.analyze) return { diagnostics: compiler.analyze(program, files).diagnostics, files };
  return { diagnostics: [...typeDiagnostics(program), ...checkProgram(program)], files };
}

export function printDiagnostics(diagnostics: readonly NwcDiagnostic[], json: boolean): void {
  const cwd = process.cwd();
  const shown = diagnostics.map((d) => relativeTo(cwd, d));
  if (json) console.log(JSON.stringify(shown, null, 2));
  else if (shown.length) console.log(printableDiagnostics(shown));
}

export async function run(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) { console.log(USAGE); return 0; }
  let flags;
  try {
    ({ flags } = parseArgs(args, { values: ["-p", "--project"], booleans: ["--json"], usage: USAGE }));
  } catch (e) {
    if (e instanceof UsageError) { console.error(`nwc check: ${e.message}`); return 2; }
    throw e;
  }
  const project = String(flags["-p"] ?? flags["--project"] ?? "tsconfig.json");
  const { diagnostics, files } = await checkProjectFiles(project);
  printDiagnostics(diagnostics, flags["--json"] === true);
  if (diagnostics.length === 0 && flags["--json"] !== true) console.log(`nwc check: ${files.length} file${files.length === 1 ? "" : "s"} checked, no problems found`);
  return diagnostics.length > 0 ? 1 : 0;
}
