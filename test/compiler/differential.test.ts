// The hand-written differential tests: every orchestration of test/compiler/programs, compiled, runs
// exactly like the original (see harness.ts), with the frame serialized between every step.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileSources } from "../../compiler/index.ts";
import { formatDiagnostic } from "../../compiler/diagnostics.ts";
import { loadCompiled } from "../../compiler/load.ts";
import { activitiesOf, runCompiled, runReference } from "./harness.ts";

const dir = fileURLToPath(new URL("./programs/", import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith(".ts")).map((f) => join(dir, f));
/** Delivery orders tried per input: FIFO-like and a few seeded permutations. */
const SEEDS = [1, 7, 12345];

const compiled = compileSources(files.map((fileName) => ({ fileName, text: readFileSync(fileName, "utf8") })));

test("the programs compile without diagnostics", () => {
  assert.equal(compiled.diagnostics.map(formatDiagnostic), []);
  assert.ok(compiled.machines.length >= 60, `expected at least 60 machines, got ${compiled.machines.length}`);
});

const loaded = compiled.diagnostics.length === 0 ? await loadCompiled(compiled.outputs) : new Map();
let checked = 0;
for (const file of compiled.diagnostics.length === 0 ? files : []) {
  if (file.endsWith("acts.ts")) continue;
  const source = (await import(file)) as Record<string, any>;
  const out = [...loaded.entries()].find(([name]) => name.replace(/\.js$/, ".ts") === file)?.[1] as Record<string, any> | undefined;
  const acts = activitiesOf({ ...(await import(join(dir, "acts.ts"))), ...source });
  for (const [exportName, orch] of Object.entries(source)) {
    if (!orch || orch.kind !== "orchestration") continue;
    const inputs: unknown[] = source.inputs?.[orch.name] ?? [undefined];
    test(`${orch.name} behaves like the original`, async () => {
      assert.ok(out, `no compiled output for ${file}`);
      const machine = out![exportName].machine;
      assert.ok(machine, `${orch.name} was not compiled into a machine`);
      for (const input of inputs) {
        for (const seed of SEEDS) {
          const ref = await runReference(orch.fn, input, acts, seed);
          const got = await runCompiled(machine, input, acts, seed);
          assert.equal(got.trace, ref.trace, `trace of ${orch.name}(${JSON.stringify(input)}) seed ${seed}`);
          assert.equal(got.outcome, ref.outcome, `outcome of ${orch.name}(${JSON.stringify(input)}) seed ${seed}`);
          checked++;
        }
      }
    });
  }
}

test("every program ran", () => {
  assert.ok(checked >= 60 * SEEDS.length, `only ${checked} runs`);
});

test.run();
