/**
 * The bank invariant under concurrency and seeded faults (memory backend):
 * 50 accounts over several partitions, 1,000 concurrent transfers, with
 * message drops, duplicates, delays, failed sends and partition crashes
 * before and after commits. Checks in bank-run.ts: the total never changes,
 * no balance goes negative, every transfer completes exactly once, no entity
 * stays locked. Runs with locked transfers and with transactions, using
 * hand-written machines (gen-app.ts), and the compiled examples when the
 * compiler is available.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkBank, openAccounts, planTransfers, startTransfers, type BankOrchestrations } from "./bank-run.ts";
import { memoryFaults } from "./faults.ts";
import * as g from "./gen-app.ts";
import { compileModules, startTestHost } from "./harness.ts";

/** The brief's size: 1,000 transfers over 50 accounts (each account in ~40 of them). */
const TRANSFERS = 1000;

async function runOn(backend: unknown, partitions: number, o: BankOrchestrations, app: unknown[], seed: number) {
  const host = await startTestHost(app, { backend, partitions });
  try {
    const client = host.client as any;
    await openAccounts(client, o, `open-${seed}`);
    const transfers = planTransfers(seed, TRANSFERS);
    await startTransfers(client, o, transfers);
    const result = await checkBank(client, o, transfers, `audit-${seed}`);
    const faults = (host.backend as any).faults;
    return { ...result, faults: faults?.counts };
  } finally {
    await host.stop();
  }
}

const locked: BankOrchestrations = { account: g.account, open: g.genOpen, transfer: g.genTransfer, audit: g.genAudit };
const transactional: BankOrchestrations = { account: g.account, open: g.genOpen, transfer: g.genTransferTx, audit: g.genAudit };

test("1,000 concurrent locked transfers, 4 partitions, seeded message faults and crashes", async () => {
  const r = await runOn(memoryFaults(11), 4, locked, g.genApp, 11);
  assert.ok(r.faults.dropped + r.faults.duplicated + r.faults.delayed > 50, `too few faults injected: ${JSON.stringify(r.faults)}`);
  assert.ok(r.faults.crashesBefore + r.faults.crashesAfter > 0, `no crash injected: ${JSON.stringify(r.faults)}`);
});

test("1,000 concurrent transactional transfers, 5 partitions, seeded message faults and crashes", async () => {
  const r = await runOn(memoryFaults(12), 5, transactional, g.genApp, 12);
  assert.ok(r.faults.crashesBefore + r.faults.crashesAfter > 0, `no crash injected: ${JSON.stringify(r.faults)}`);
});

test("1,000 concurrent transfers of the compiled examples (bank.ts, bank-transaction.ts), seeded faults", async () => {
  const mods = await compileModules(["../../examples/bank.ts", "../../examples/bank-transaction.ts"]);
  const bank = mods.get("bank.ts"), bankTx = mods.get("bank-transaction.ts");
  const o: BankOrchestrations = { account: bank.account, open: bank.openAccounts, transfer: bank.transfer, audit: bankTx.auditTx };
  const r = await runOn(memoryFaults(13), 4, o, [...new Set([...bank.app, ...bankTx.app])], 13);
  assert.ok(r.faults.dropped + r.faults.duplicated > 20, `too few faults injected: ${JSON.stringify(r.faults)}`);
});

test.run();
