/**
 * The bank invariant workload, shared by the memory (seeded faults) and local
 * (SIGKILL) tests: open ACCOUNTS accounts, run concurrent transfers, then check
 * that the total never changed, no balance is negative, every transfer
 * completed exactly once (each final balance is the opening balance plus the
 * successful transfers into it minus those out of it), and no entity stays
 * locked (a locked audit over every account completes, and gives the total).
 */
import * as assert from "uvu/assert";
import { seeded } from "./harness.ts";

export const ACCOUNTS = 50;
export const OPENING = 100;

export interface BankOrchestrations {
  account: any;
  open: any;
  transfer: any;
  audit: any;
}

export interface PlannedTransfer {
  id: string;
  from: string;
  to: string;
  amount: number;
}

export function accountKeys(): string[] {
  return Array.from({ length: ACCOUNTS }, (_, i) => `acct-${i}`);
}

/** Transfers with seeded random accounts and amounts up to 60 (so some fail for short funds). */
export function planTransfers(seed: number, count: number, prefix = `t-${seed}`): PlannedTransfer[] {
  const random = seeded(seed);
  const keys = accountKeys();
  return Array.from({ length: count }, (_, i) => {
    const from = keys[Math.floor(random() * ACCOUNTS)];
    let to = keys[Math.floor(random() * ACCOUNTS)];
    while (to === from) to = keys[Math.floor(random() * ACCOUNTS)];
    return { id: `${prefix}-${i}`, from, to, amount: 1 + Math.floor(random() * 60) };
  });
}

export async function openAccounts(client: any, o: BankOrchestrations, id: string): Promise<void> {
  await client.start(o.open, { keys: accountKeys(), amount: OPENING }, { instanceId: id });
  const s = await client.wait(id, { timeoutMs: 60_000 });
  assert.is(s.status, "Completed", `opening the accounts: ${JSON.stringify(s.error)}`);
}

export async function startTransfers(client: any, o: BankOrchestrations, transfers: PlannedTransfer[]): Promise<void> {
  await Promise.all(transfers.map((t) => client.start(o.transfer, { from: t.from, to: t.to, amount: t.amount }, { instanceId: t.id })));
}

/** Waits for every transfer and checks the invariants; returns how many moved money. */
export async function checkBank(client: any, o: BankOrchestrations, transfers: PlannedTransfer[], auditId: string): Promise<{ succeeded: number }> {
  const statuses = await Promise.all(transfers.map((t) => client.wait(t.id, { timeoutMs: 100_000 })));
  const keys = accountKeys();
  const expected = new Map(keys.map((k) => [k, OPENING]));
  statuses.forEach((s: any, i: number) => {
    const t = transfers[i];
    assert.is(s.status, "Completed", `${t.id}: ${s.status} ${JSON.stringify(s.error)}`);
    if (s.output === true) {
      expected.set(t.from, expected.get(t.from)! - t.amount);
      expected.set(t.to, expected.get(t.to)! + t.amount);
    } else {
      assert.is(s.output, false, `${t.id}: output ${JSON.stringify(s.output)}`);
    }
  });
  // No entity stays locked: a lock over every account must be granted. It also waits out
  // the commits of the last transactions (their transactionEnd precedes their release).
  await client.start(o.audit, keys, { instanceId: auditId });
  const audit = await client.wait(auditId, { timeoutMs: 60_000 });
  assert.is(audit.status, "Completed", `the audit over all accounts did not finish: an account stayed locked (${audit.status})`);
  assert.is(audit.output, ACCOUNTS * OPENING, "the total seen under lock");
  let total = 0;
  for (const k of keys) {
    const state = await client.readEntity(o.account, k);
    assert.ok(state.balance >= 0, `${k} went negative: ${state.balance}`);
    assert.is(state.balance, expected.get(k), `${k}: every successful transfer applied exactly once`);
    total += state.balance;
  }
  assert.is(total, ACCOUNTS * OPENING, "the total never changes");
  const succeeded = statuses.filter((s: any) => s.output === true).length;
  assert.ok(succeeded >= transfers.length / 4, `only ${succeeded} of ${transfers.length} transfers moved money: too starved to show anything`);
  return { succeeded };
}
