/**
 * Seeded simulation: NWC_SEEDS seeds (default 1000) of the fixed workload on
 * the memory backend with injected faults, each compared with a fault-free
 * run. A failing seed is printed; replay it with
 * `NWC_SEED=123 npm test -- simulation`.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { faultsFor, simulate } from "./simulation.ts";

const only = process.env.NWC_SEED !== undefined ? [Number(process.env.NWC_SEED)] : undefined;
const count = Number(process.env.NWC_SEEDS ?? 1000);
const first = Number(process.env.NWC_SEED_START ?? 1);
const seeds = only ?? Array.from({ length: count }, (_, i) => first + i);

test(`${seeds.length} seeds with faults reach the fault-free results`, async () => {
  const reference = await simulate(undefined);
  assert.equal(reference.outputs.hello, { status: "Completed", output: ["Hello a!", "Hello b!"], error: undefined });
  assert.equal(reference.entities, { e1: { value: 107 }, s1: { value: 6 } });
  const totals: Record<string, number> = {};
  for (const seed of seeds) {
    let result;
    try {
      result = await simulate(faultsFor(seed));
      assert.equal(result.outputs, reference.outputs);
      assert.equal(result.entities, reference.entities);
    } catch (error) {
      console.error(`simulation seed ${seed} failed; replay with NWC_SEED=${seed} npm test -- simulation`);
      throw error;
    }
    for (const [k, v] of Object.entries(result.faults)) totals[k] = (totals[k] ?? 0) + v;
  }
  console.log(`faults injected over ${seeds.length} seeds: ${JSON.stringify(totals)}`);
  // The run must actually have been faulty, or it proves nothing.
  assert.ok(totals.crashesBefore > 0 && totals.crashesAfter > 0 && totals.dropped > 0 && totals.duplicated > 0);
});

test("a seed replays exactly: same faults, same virtual time, same results", async () => {
  const seed = seeds[0];
  const a = await simulate(faultsFor(seed));
  const b = await simulate(faultsFor(seed));
  assert.equal(b, a);
});

test.run();
