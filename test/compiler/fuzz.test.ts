// Random programs (fuzz-gen.ts) compiled in batches: each compiled machine, with its frame serialized between
// every step, must match the original run as plain async code (same effects in the same order, same outcome).
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileSources } from "../../compiler/index.ts";
import { formatDiagnostic } from "../../compiler/diagnostics.ts";
import { loadCompiled } from "../../compiler/load.ts";
import { activitiesOf, runCompiled, runReference } from "./harness.ts";
import { Entropy, genProgram } from "./fuzz-gen.ts";

/** Cases per `npm test` run: a few hundred keep the suite fast; `npm run fuzz` runs 10,000 (NWC_FUZZ_CASES sets it). */
const CASES = Number(process.env.NWC_FUZZ_CASES ?? 400);
/** Programs per generated module: one TypeScript program compiles a whole batch. */
const PER_FILE = 100;
const SEED = Number(process.env.NWC_FUZZ_SEED ?? 20261122);
console.log(`fuzz: seed ${SEED} (replay with NWC_FUZZ_SEED=${SEED} NWC_FUZZ_CASES=${CASES})`);

const ACTS = `import { activity, orchestration, type OrchestrationContext } from "nwc";
export const step = activity("step", async (x: number) => {
  if (((x % 23) + 23) % 23 === 7) throw new RangeError("bad " + x);
  return ((x * 7 + 3) % 101 + 101) % 101;
});
export function* countGen(log: number[], n: number) {
  try {
    for (let i = 0; i < n; i++) yield i;
  } finally {
    log.push(-99);
  }
}
export async function twiceStep(ctx: OrchestrationContext, x: number): Promise<number> {
  const y = await ctx.call(step, x);
  return (await ctx.call(step, y + 1)) + 1;
}
`;

const entropies = fc.sample(fc.array(fc.nat(997), { minLength: 64, maxLength: 64 }), { seed: SEED, numRuns: CASES });
mkdirSync(join(process.cwd(), "test-output"), { recursive: true });
const dir = mkdtempSync(join(process.cwd(), "test-output", "nwc-fuzz-"));
writeFileSync(join(dir, "acts.ts"), ACTS);
const sources: { fileName: string; text: string }[] = [{ fileName: join(dir, "acts.ts"), text: ACTS }];
const programs: { file: string; name: string; text: string }[] = [];
for (let f = 0; f * PER_FILE < CASES; f++) {
  const fileName = join(dir, `batch${f}.ts`);
  let text = `import { orchestration } from "nwc";\nimport { countGen, step, twiceStep } from "./acts.ts";\n`;
  for (let i = f * PER_FILE; i < Math.min(CASES, (f + 1) * PER_FILE); i++) {
    const p = genProgram(`p${i}`, new Entropy(entropies[i]!));
    programs.push({ file: fileName, name: `p${i}`, text: p });
    text += p;
  }
  writeFileSync(fileName, text);
  sources.push({ fileName, text });
}

test(`${CASES} random programs: compiled == original`, async () => {
  const started = Date.now();
  const compiled = compileSources(sources, { skipEffectChecks: true, skipTypeCheck: true });
  assert.equal(compiled.diagnostics.map(formatDiagnostic), []);
  const compileMs = Date.now() - started;
  const loaded = await loadCompiled(compiled.outputs);
  const acts = activitiesOf((await import(join(dir, "acts.ts"))) as Record<string, unknown>);
  const originals = new Map<string, Record<string, any>>();
  let runs = 0;
  for (const p of programs) {
    if (!originals.has(p.file)) originals.set(p.file, (await import(p.file)) as Record<string, any>);
    const orig = originals.get(p.file)![p.name];
    const out = [...loaded.entries()].find(([n]) => n.replace(/\.js$/, ".ts") === p.file)![1] as Record<string, any>;
    const machine = out[p.name].machine;
    // One input and delivery order per program, varied across programs: distinct cases per run.
    const index = Number(p.name.slice(1));
    for (const [input, seed] of [[3 + (index % 7), 1 + index]] as const) {
      const ref = await runReference(orig.fn, input, acts, seed);
      let got;
      try {
        got = await runCompiled(machine, input, acts, seed);
      } catch (e) {
        throw new Error(`${p.name}(${input}) seed ${seed} crashed: ${(e as Error).message}\n${p.text}`);
      }
      if (JSON.stringify(got.trace) !== JSON.stringify(ref.trace) || JSON.stringify(got.outcome) !== JSON.stringify(ref.outcome)) {
        assert.equal({ trace: got.trace, outcome: got.outcome }, { trace: ref.trace, outcome: ref.outcome },
          `${p.name}(${input}) seed ${seed} (NWC_FUZZ_SEED=${SEED}) differs:\n${p.text}`);
      }
      runs++;
    }
  }
  assert.is(runs, CASES);
  rmSync(dir, { recursive: true, force: true });
  console.log(`fuzz: ${CASES} programs, ${runs} differential runs; batch compile ${compileMs} ms, total ${Date.now() - started} ms`);
});

test.run();
