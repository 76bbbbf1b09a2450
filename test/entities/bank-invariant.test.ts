/**
 * The bank invariant under concurrency and seeded message faults (memory
 * backend): 50 accounts over several partitions, 1,000 concurrent locked
 * transfers. Afterwards: the total never changed, no balance is negative,
 * every transfer completed exactly once (each account's final balance equals
 * its opening balance plus the transfers that reported success), and no entity
 * stays locked (a final locked audit over all accounts completes).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadCompiled, seeded, startTestHost } from "./harness.ts";

const bank = await loadCompiled<typeof import("../../examples/bank.ts")>("../../examples/bank.ts");
const bankTx = await loadCompiled<typeof import("../../examples/bank-transaction.ts")>("../../examples/bank-transaction.ts");

/** 50 accounts and 1,000 transfers: the brief's size; contention is high (each account in ~40 transfers). */
const ACCOUNTS = 50;
const TRANSFERS = 1000;
const OPENING = 100;

export async function runBank(options: { backend: unknown; seed: number; partitions: number; transfers: number; useTransactions: boolean }) {
  const host = await startTestHost([...new Set([...bank.app, ...bankTx.app])], { backend: options.backend, partitions: options.partitions });
  const client = host.client as any;
  try {
    const keys = Array.from({ length: ACCOUNTS }, (_, i) => `acct-${i}`);
    const open = await client.start(bank.openAccounts, { keys, amount: OPENING }, { instanceId: `open-${options.seed}` });
    assert.is((await client.wait(open, { timeoutMs: 60_000 })).status, "Completed");
    const random = seeded(options.seed);
    const transfers = Array.from({ length: options.transfers }, (_, i) => {
      const from = keys[Math.floor(random() * ACCOUNTS)];
      let to = keys[Math.floor(random() * ACCOUNTS)];
      while (to === from) to = keys[Math.floor(random() * ACCOUNTS)];
      return { id: `t-${options.seed}-${i}`, from, to, amount: 1 + Math.floor(random() * 60) };
    });
    const orch = options.useTransactions ? bankTx.transferTx : bank.transfer;
    await Promise.all(transfers.map((t) => client.start(orch, { from: t.from, to: t.to, amount: t.amount }, { instanceId: t.id })));
    const statuses = await Promise.all(transfers.map((t) => client.wait(t.id, { timeoutMs: 110_000 })));
    const expected = new Map(keys.map((k) => [k, OPENING]));
    statuses.forEach((s, i) => {
      assert.is(s.status, "Completed", `${transfers[i].id}: ${s.status} ${JSON.stringify(s.error)}`);
      if (s.output === true) {
        expected.set(transfers[i].from, expected.get(transfers[i].from)! - transfers[i].amount);
        expected.set(transfers[i].to, expected.get(transfers[i].to)! + transfers[i].amount);
      } else {
        assert.is(s.output, false);
      }
    });
    let total = 0;
    for (const k of keys) {
      const state = await client.readEntity(bank.account, k);
      assert.ok(state.balance >= 0, `${k} went negative: ${state.balance}`);
      assert.is(state.balance, expected.get(k), `${k}: every successful transfer applied exactly once`);
      total += state.balance;
    }
    assert.is(total, ACCOUNTS * OPENING, "the total never changes");
    const succeeded = statuses.filter((s) => s.output === true).length;
    assert.ok(succeeded > options.transfers / 4, `only ${succeeded} transfers succeeded: the workload is too starved to show anything`);
    // No entity stays locked: a locked audit over every account must complete.
    const audit = await client.start(bankTx.auditTx, keys, { instanceId: `audit-${options.seed}` });
    const a = await client.wait(audit, { timeoutMs: 60_000 });
    assert.is(a.status, "Completed", "an account stayed locked");
    assert.is(a.output, ACCOUNTS * OPENING);
    return { succeeded };
  } finally {
    await host.stop();
  }
}

test("1,000 concurrent locked transfers, 4 partitions, no faults", async () => {
  await runBank({ backend: "memory", seed: 1, partitions: 4, transfers: TRANSFERS, useTransactions: false });
});

test("1,000 concurrent transfers as transactions, seeded message faults", async () => {
  const { memoryFaults } = await import("./faults.ts");
  await runBank({ backend: memoryFaults(2), seed: 2, partitions: 4, transfers: TRANSFERS, useTransactions: true });
});

test("1,000 concurrent locked transfers, seeded message faults", async () => {
  const { memoryFaults } = await import("./faults.ts");
  await runBank({ backend: memoryFaults(3), seed: 3, partitions: 5, transfers: TRANSFERS, useTransactions: false });
});

test.run();
