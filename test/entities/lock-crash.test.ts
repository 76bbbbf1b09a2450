/**
 * Crash at every step of the lock protocol: for every message kind of the
 * protocol and every batch that carries it, crash that batch's partition
 * before and after its commit, recover, run to quiescence, and check that no
 * entity stays locked, every operation applied exactly once, transactions
 * applied all-or-nothing, and queued signals all ran. Then seeded random crashes.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { EntityId } from "../../runtime/machine.ts";
import { entityKey } from "../../runtime/partitions/entities/lock-order.ts";
import { runSim, type HolderPlan, type SimOptions, type SimResult } from "./protocol-sim.ts";

const E = (key: string): EntityId => ({ name: "Account", key });
const accounts = ["a", "b", "c", "d"].map(E);

function plans(): HolderPlan[] {
  return [
    { id: "h1", lockSet: [accounts[0], accounts[1]], amount: 1, tx: false, commit: true, end: "unlock", terminate: false },
    { id: "h2", lockSet: [accounts[1], accounts[0]], amount: 10, tx: true, commit: true, end: "unlock", terminate: false },
    { id: "h3", lockSet: [accounts[2], accounts[1], accounts[3]], amount: 100, tx: true, commit: false, end: "unlock", terminate: false },
    { id: "h4", lockSet: [accounts[3], accounts[0]], amount: 1000, tx: false, commit: true, end: "complete", terminate: false },
    { id: "h5", lockSet: [accounts[0], accounts[2]], amount: 10000, tx: true, commit: true, end: "fail", terminate: false },
    { id: "h6", lockSet: [accounts[1], accounts[2]], amount: 100000, tx: false, commit: true, end: "unlock", terminate: true },
    { id: "h7", lockSet: [accounts[0]], amount: 1000000, tx: true, commit: true, end: "unlock", terminate: true },
  ];
}

const base: Omit<SimOptions, "seed"> = {
  partitions: 3,
  plans: plans(),
  signals: accounts.flatMap((a, i) => [{ entity: a, amount: 7 + i }, { entity: a, amount: 70 + i }]),
};

function check(result: SimResult, label: string): void {
  assert.equal(result.stuckLocks, [], `${label}: stuck locks`);
  for (const [key, e] of Object.entries(result.entities)) {
    assert.ok(e.lock.queue.length === 0, `${label}: ${key} has queued messages`);
    const sum = Object.values(e.applied).reduce((a, b) => a + b, 0);
    assert.is(e.value, sum, `${label}: ${key} value is not the sum of the operations applied to it`);
  }
  base.signals.forEach((s, i) => {
    assert.ok(result.entities[entityKey(s.entity)]?.applied[`signal-${i}`] === s.amount, `${label}: signal ${i} did not run once`);
  });
  for (const plan of base.plans) {
    const h = result.holders[plan.id];
    const applied = plan.lockSet.map((e) => result.entities[entityKey(e)]?.applied[`${plan.id}:${entityKey(e)}`] !== undefined);
    if (!plan.terminate) {
      assert.is(h.status, plan.end === "fail" ? "failed" : "completed", `${label}: ${plan.id} status`);
      const expected = !plan.tx || plan.commit;
      assert.equal(applied, plan.lockSet.map(() => expected), `${label}: ${plan.id} applied ${applied}`);
    } else {
      assert.is(h.status, "terminated", `${label}: ${plan.id} status`);
      // A transaction of a terminated holder never commits; plain calls may have run before the end.
      if (plan.tx) assert.ok(applied.every((a) => !a), `${label}: ${plan.id} (terminated transaction) applied writes`);
    }
  }
}

test("fault-free runs over many schedules", () => {
  for (let seed = 1; seed <= 200; seed++) check(runSim({ ...base, seed }), `seed ${seed}`);
});

test("a crash before and after the commit of every batch that carries each message kind", () => {
  const kinds = ["start", "lockRequest", "lockGranted", "call", "reply", "transactionEnd", "lockRelease", "terminate"] as const;
  let runs = 0;
  for (const seed of [1, 2, 3, 4, 5]) {
    const clean = runSim({ ...base, seed });
    for (const kind of kinds) {
      const n = clean.kindCounts[kind] ?? 0;
      assert.ok(n > 0, `seed ${seed}: no batch carried ${kind}; the scenario does not cover it`);
      for (let occurrence = 0; occurrence < n; occurrence++) {
        for (const phase of ["before", "after"] as const) {
          const result = runSim({ ...base, seed, crash: { kind, phase, occurrence } });
          assert.ok(result.crashes >= 1, `seed ${seed} ${kind}#${occurrence} ${phase}: no crash happened`);
          check(result, `seed ${seed} crash ${phase} commit of ${kind}#${occurrence}`);
          runs++;
        }
      }
    }
  }
  assert.ok(runs > 100, `only ${runs} crash runs`);
});

test("seeded random crashes (10% of batches)", () => {
  let crashes = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const result = runSim({ ...base, seed, crashProbability: 0.1 });
    crashes += result.crashes;
    check(result, `seed ${seed} random crashes`);
  }
  assert.ok(crashes > 100, `only ${crashes} crashes injected`);
});

test("the check catches a lost release (the simulator can fail)", () => {
  // Drop every release: locks must then be reported stuck.
  const result = runSim({ ...base, seed: 1, plans: base.plans.filter((p) => !p.terminate), dropKind: "lockRelease" });
  assert.ok(result.stuckLocks.length > 0);
});

test.run();
