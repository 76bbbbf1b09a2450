/**
 * Compile-time benchmark. Run: node --conditions=source --import tsx bench/compile.ts
 *
 * Generates a project of 100 orchestrations (10 files of 10, loops, try/catch,
 * fan-out, helpers) and measures, on the same files: plain TypeScript (type
 * check + emit, one program) and nwc's compileProject (type check + effect
 * checks + translation + emit). Prints medians of REPEATS runs and the ratio
 * (goal: nwc <= 2x tsc).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import ts from "typescript";
import { compileProject } from "../compiler/index.ts";

/** Medians over 5 runs: drops outliers on a shared 2-core machine and still finishes in about a minute. */
const REPEATS = 5;
const FILES = 10;
const PER_FILE = 10;

function orchestrationSource(i: number): string {
  return `
export const o${i} = orchestration("o${i}", async (ctx, input: { items: number[]; name: string }) => {
  const out: number[] = [];
  let total = 0;
  for (const x of input.items) {
    try {
      const v = await ctx.call(work, x + ${i});
      if (v % 2 === 0) out.push(v);
      else total += await helper${i % 3}(ctx, v);
    } catch (e) {
      out.push(-1);
    } finally {
      total++;
    }
  }
  const fan = await Promise.all(input.items.map(async (x) => (await ctx.call(work, x * 2)) + total));
  switch (fan.length % 3) {
    case 0: await ctx.sleep(1000); break;
    case 1: total += await ctx.waitForEvent<number>("bump");
    default: ctx.setStatus({ total });
  }
  return { name: \`\${input.name}-${i}\`, out, fan, total };
});
`;
}

const dir = mkdtempSync(join(process.cwd(), "test-output", "bench-compile-"));
mkdirSync(join(dir, "src"), { recursive: true });
const files: string[] = [];
writeFileSync(join(dir, "src", "acts.ts"), `import { activity, type OrchestrationContext } from "nwc";
export const work = activity("work", async (x: number) => x * 3);
export async function helper0(ctx: OrchestrationContext, x: number) { return (await ctx.call(work, x)) + 1; }
export async function helper1(ctx: OrchestrationContext, x: number) { const a = await ctx.call(work, x); return a + (await ctx.call(work, a)); }
export async function helper2(ctx: OrchestrationContext, x: number) { return x > 10 ? await ctx.call(work, x) : 0; }
`);
files.push(join(dir, "src", "acts.ts"));
for (let f = 0; f < FILES; f++) {
  let text = `import { orchestration } from "nwc";\nimport { work, helper0, helper1, helper2 } from "./acts.ts";\n`;
  for (let i = 0; i < PER_FILE; i++) text += orchestrationSource(f * PER_FILE + i);
  const file = join(dir, "src", `orch${f}.ts`);
  writeFileSync(file, text);
  files.push(file);
}
const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
  customConditions: ["source"], strict: true, skipLibCheck: true, allowImportingTsExtensions: true, declaration: true,
  lib: ["lib.es2023.d.ts", "lib.esnext.disposable.d.ts", "lib.dom.d.ts"], types: [], outDir: join(dir, "out"), rootDir: process.cwd(), rewriteRelativeImportExtensions: true,
  paths: { nwc: [join(process.cwd(), "runtime", "api.ts")] },
};
writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
  compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", customConditions: ["source"], strict: true, skipLibCheck: true,
    allowImportingTsExtensions: true, declaration: true, lib: ["ES2023", "ESNext.Disposable", "DOM"], types: [], outDir: "out", rootDir: process.cwd(), rewriteRelativeImportExtensions: true,
    paths: { nwc: [join(process.cwd(), "runtime", "api.ts")] } },
  include: ["src"],
}));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function plainTsc(): number {
  const t = performance.now();
  const program = ts.createProgram({ rootNames: files, options });
  const diags = ts.getPreEmitDiagnostics(program);
  if (diags.length) throw new Error(ts.formatDiagnostics(diags, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => "\n" }));
  program.emit(undefined, () => {});
  return performance.now() - t;
}

function nwc(): number {
  const t = performance.now();
  const r = compileProject({ tsconfigPath: join(dir, "tsconfig.json"), noWrite: true });
  if (r.diagnostics.length) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line} ${d.code} ${d.message}`).join("\n"));
  if (r.machines.length !== FILES * PER_FILE) throw new Error(`expected ${FILES * PER_FILE} machines, got ${r.machines.length}`);
  return performance.now() - t;
}

plainTsc();
nwc(); // warm-up: JIT and file cache
const tscTimes: number[] = [], nwcTimes: number[] = [];
for (let i = 0; i < REPEATS; i++) {
  tscTimes.push(plainTsc());
  nwcTimes.push(nwc());
}
const tsc = median(tscTimes), mine = median(nwcTimes);
console.log(`\ncompile: ${FILES * PER_FILE} orchestrations in ${FILES} files (+ helpers), median of ${REPEATS}\n`);
console.log("| compiler | median ms | ratio to tsc |");
console.log("| --- | ---: | ---: |");
console.log(`| tsc (type check + emit) | ${tsc.toFixed(0)} | 1.00 |`);
console.log(`| nwc compileProject (type check + effect checks + translate + emit) | ${mine.toFixed(0)} | ${(mine / tsc).toFixed(2)} |`);
