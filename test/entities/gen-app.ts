/**
 * Hand-written (generator) orchestrations over the bank's `Account` entity,
 * for runtime tests of locks and transactions that must not depend on the
 * compiler: a locked transfer, a transactional transfer (credit first, then a
 * debit that may throw), a locked audit, a holder that waits for an event.
 */
import { account } from "../../examples/bank.ts";
import type { EntityId } from "../../runtime/machine.ts";
import { genOrchestration, value } from "./gen-machine.ts";

export { account };
const A = (key: string): EntityId => account.id(key);

export interface GenTransfer {
  from: string;
  to: string;
  amount: number;
}

/** ctx.lock(from, to); if balance(from) < amount return false; add(-), add(+) in parallel; unlock. */
export const genTransfer = genOrchestration("genTransfer", function* (t: GenTransfer) {
  const set = [A(t.from), A(t.to)];
  const [grant] = yield [{ kind: "lock", entities: set }];
  value(grant);
  const [balance] = yield [{ kind: "call", entity: A(t.from), op: "get" }];
  if (value(balance) < t.amount) {
    yield [{ kind: "unlock", lockTaskId: grant.taskId, entities: set }];
    return false;
  }
  const done = yield [
    { kind: "call", entity: A(t.from), op: "add", input: -t.amount },
    { kind: "call", entity: A(t.to), op: "add", input: t.amount },
  ];
  done.forEach(value);
  yield [{ kind: "unlock", lockTaskId: grant.taskId, entities: set }];
  return true;
});

/** ctx.transaction([from, to]): credit `to`, then withdraw from `from` (throws when short): all or nothing. */
export const genTransferTx = genOrchestration("genTransferTx", function* (t: GenTransfer) {
  const set = [A(t.from), A(t.to)];
  const [grant] = yield [{ kind: "lock", entities: set }];
  value(grant);
  const tx = grant.taskId;
  const [credit] = yield [{ kind: "call", entity: A(t.to), op: "add", input: t.amount, transactionId: tx }];
  value(credit);
  const [debit] = yield [{ kind: "call", entity: A(t.from), op: "withdraw", input: t.amount, transactionId: tx }];
  const ok = debit.result.ok;
  yield [
    { kind: "endTransaction", lockTaskId: tx, entities: set, commit: ok },
    { kind: "unlock", lockTaskId: tx, entities: set },
  ];
  return ok;
});

/** Sum of balances under one lock over all keys. */
export const genAudit = genOrchestration("genAudit", function* (keys: string[]) {
  const set = keys.map(A);
  const [grant] = yield [{ kind: "lock", entities: set }];
  value(grant);
  const balances = yield keys.map((k) => ({ kind: "call" as const, entity: A(k), op: "get" }));
  yield [{ kind: "unlock", lockTaskId: grant.taskId, entities: set }];
  return balances.map(value).reduce((a: number, b: number) => a + b, 0);
});

/** Locks, then waits for event "go" inside the section (termination test). */
export const genHold = genOrchestration("genHold", function* (keys: string[]) {
  const set = keys.map(A);
  const [grant] = yield [{ kind: "lock", entities: set }];
  value(grant);
  yield [{ kind: "event", name: "go" }];
  yield [{ kind: "unlock", lockTaskId: grant.taskId, entities: set }];
  return "released";
});

/** Puts `amount` into each key (plain calls). */
export const genOpen = genOrchestration("genOpen", function* (input: { keys: string[]; amount: number }) {
  const r = yield input.keys.map((k) => ({ kind: "call" as const, entity: A(k), op: "add", input: input.amount }));
  r.forEach(value);
  return input.keys.length;
});

export const genApp = [account, genTransfer, genTransferTx, genAudit, genHold, genOpen];
