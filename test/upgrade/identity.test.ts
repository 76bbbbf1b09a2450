// Differential test of the planner over every program of test/compiler/programs: each file is built a
// second time with an orchestration added at its top (so every step function, line and module hash
// differs, and every await key is the same). Each run moves its frame to the twin build before every
// step; the trace and outcome must be those of the run that never moves. A refusal must be one of the
// documented limits.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileSources } from "../../compiler/index.ts";
import { formatDiagnostic } from "../../compiler/diagnostics.ts";
import { loadCompiled } from "../../compiler/load.ts";
import type { Machine } from "../../runtime/machine.ts";
import { planUpgrade } from "../../runtime/upgrade/plan.ts";
import { activitiesOf, runCompiled } from "../compiler/harness.ts";

const dir = fileURLToPath(new URL("../compiler/programs/", import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "acts.ts");
const SEEDS = [1, 7];
const PREFIX = `export const __twinFirst = orchestration("__twinFirst", async (ctx) => { await ctx.sleep(1); await ctx.sleep(2); });\n`;
/** Refusals the planner documents (docs/runtime.md "Upgrading instances"): not carried, never wrong. */
const KNOWN_LIMITS = /outside the orchestration's own code|per-iteration bindings|finally block that will jump|holds an async closure inside a value/;

async function buildAll(prefix: string): Promise<Map<string, Record<string, any>>> {
  const sources = [...files, "acts.ts"].map((f) => {
    const text = readFileSync(join(dir, f), "utf8");
    return { fileName: join(dir, f), text: f === "acts.ts" || !/import \{[^}]*\borchestration\b/.test(text) ? text : text.replace(/^(import[^\n]*\n)+/m, (imports) => imports + prefix) };
  });
  const r = compileSources(sources);
  assert.equal(r.diagnostics.map(formatDiagnostic), []);
  const loaded = await loadCompiled(r.outputs);
  const out = new Map<string, Record<string, any>>();
  for (const [name, mod] of loaded) out.set(name.replace(/\.js$/, ".ts"), mod);
  return out;
}

const original = await buildAll("");
const twin = await buildAll(PREFIX);
let moved = 0, refused = 0;

for (const f of files) {
  const file = join(dir, f);
  const source = (await import(file)) as Record<string, any>;
  const acts = activitiesOf({ ...(await import(join(dir, "acts.ts"))), ...source });
  const a = original.get(file), b = twin.get(file);
  for (const [exportName, orch] of Object.entries(source)) {
    if (orch?.kind !== "orchestration") continue;
    // Both builds register their own class Money under one name, and the codec decodes with the last
    // registered: the old build's `instanceof Money` is then false, moved or not (two builds of a module
    // that registers classes cannot share a process; the upgrade is not involved).
    if (orch.name === "codecClassLocal") continue;
    test(`${orch.name}: moved to a twin build before every step, it runs as if it never moved`, async () => {
      const oldM: Machine = a![exportName].machine, newM: Machine = b![exportName].machine;
      assert.is.not(oldM.version, newM.version);
      for (const input of (source.inputs?.[orch.name] ?? [undefined]) as unknown[]) {
        for (const seed of SEEDS) {
          const plain = await runCompiled(oldM, input, acts, seed);
          const hopping = await runCompiled(oldM, input, acts, seed, (machine, frame) => {
            const [from, to] = machine === oldM ? [oldM, newM] : [newM, oldM];
            const plan = planUpgrade(from, to, frame);
            if (!plan.ok) {
              assert.match(plan.reason, KNOWN_LIMITS, `${orch.name}: ${plan.reason}`);
              refused++;
              return { machine, frame };
            }
            moved++;
            return { machine: to, frame: plan.frame };
          });
          assert.equal(hopping.trace, plain.trace, `trace of ${orch.name}(${JSON.stringify(input)}) seed ${seed}`);
          assert.equal(hopping.outcome, plain.outcome, `outcome of ${orch.name}(${JSON.stringify(input)}) seed ${seed}`);
        }
      }
    });
  }
}

test("most frames moved", () => {
  console.log(`frames moved: ${moved}, refused (documented limits): ${refused}`);
  assert.ok(moved > 4 * refused, `moved ${moved}, refused ${refused}`);
});

test.run();
