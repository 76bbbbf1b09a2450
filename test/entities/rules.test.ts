/**
 * Rules of critical sections at the holder (docs/entities.md section 4): each
 * violation throws a `CriticalSectionError` with the documented message, and
 * what is allowed produces the right protocol messages.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { EntityId } from "../../runtime/machine.ts";
import { CriticalSectionError } from "../../runtime/partitions/entities/errors.ts";
import { checkSignal, checkSubOrchestration, onEndTransactionCommand, onLockCommand, onUnlockCommand, releaseOnEnd, tagEntityCall, type HolderLockRecord } from "../../runtime/partitions/entities/holder.ts";
import { onLockGranted } from "../../runtime/partitions/entities/on-lock-granted.ts";
import { compareEntityIds, sortLockSet } from "../../runtime/partitions/entities/lock-order.ts";

const A = (key: string): EntityId => ({ name: "Account", key });
const call = (entity: EntityId, transactionId?: number) => ({ kind: "callEntity" as const, taskId: 9, entity, op: "get", input: undefined, transactionId });

function throwsRule(fn: () => unknown, startsWith: string): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, CriticalSectionError);
    assert.is((error as Error).name, "CriticalSectionError");
    assert.ok((error as Error).message.startsWith(startsWith), `message was: ${(error as Error).message}`);
    return;
  }
  assert.unreachable(`expected CriticalSectionError starting with ${startsWith}`);
}

function held(): HolderLockRecord {
  const r: HolderLockRecord = {};
  const [req] = onLockCommand(r, { kind: "lock", taskId: 3, entities: [A("b"), A("a")] }, "i1", 0);
  assert.is(req.kind, "lockRequest");
  if (req.kind !== "lockRequest") throw new Error();
  const outcome = onLockGranted(r, { kind: "lockGranted", requestId: req.requestId, holder: "i1", lockTaskId: 3, lockSet: req.lockSet }, true);
  assert.is(outcome.kind, "wake");
  return r;
}

test("the global order: by name, then key, code units; duplicates removed", () => {
  assert.equal(sortLockSet([A("b"), { name: "Zebra", key: "a" }, A("a"), A("b"), { name: "Account", key: "B" }]), [
    { name: "Account", key: "B" }, A("a"), A("b"), { name: "Zebra", key: "a" },
  ]);
  assert.ok(compareEntityIds(A("a"), A("a")) === 0);
  assert.ok(compareEntityIds({ name: "a", key: "z" }, { name: "b", key: "a" }) < 0);
});

test("lock sends one request to the first entity of the sorted set", () => {
  const r: HolderLockRecord = {};
  const out = onLockCommand(r, { kind: "lock", taskId: 3, entities: [A("b"), A("a"), A("b")] }, "i1", 2);
  assert.equal(out, [{ kind: "lockRequest", requestId: "i1#2#3", holder: "i1", lockTaskId: 3, lockSet: [A("a"), A("b")], position: 0 }]);
  assert.ok(r.pending && !r.held);
});

test("nesting is refused, while acquiring and while held", () => {
  const r: HolderLockRecord = {};
  onLockCommand(r, { kind: "lock", taskId: 3, entities: [A("a")] }, "i1", 0);
  throwsRule(() => onLockCommand(r, { kind: "lock", taskId: 4, entities: [A("c")] }, "i1", 0), "ctx.lock: a critical section is already held");
  throwsRule(() => onLockCommand(held(), { kind: "lock", taskId: 4, entities: [A("c")] }, "i1", 0), "ctx.lock: a critical section is already held");
});

test("an empty lock is refused", () => {
  throwsRule(() => onLockCommand({}, { kind: "lock", taskId: 1, entities: [] }, "i1", 0), "ctx.lock: no entities were given");
});

test("inside a section: call only held entities; the call carries the lock", () => {
  const r = held();
  assert.equal(tagEntityCall(r, call(A("a"))), { requestId: "i1#0#3" });
  throwsRule(() => tagEntityCall(r, call(A("c"))), `ctx.entity("Account", "c"): the critical section does not hold this entity`);
  const acquiring: HolderLockRecord = {};
  onLockCommand(acquiring, { kind: "lock", taskId: 3, entities: [A("a")] }, "i1", 0);
  throwsRule(() => tagEntityCall(acquiring, call(A("a"))), "ctx.entity(");
  assert.equal(tagEntityCall({}, call(A("z"))), {}, "outside a section a call is untagged");
});

test("inside a section: signal only entities not held", () => {
  const r = held();
  throwsRule(() => checkSignal(r, { kind: "signalEntity", entity: A("b"), op: "add", input: 1 }), `ctx.signal("Account", "b"): the entity is held`);
  checkSignal(r, { kind: "signalEntity", entity: A("c"), op: "add", input: 1 });
  checkSignal({}, { kind: "signalEntity", entity: A("b"), op: "add", input: 1 });
});

test("no sub-orchestration inside a section (held or being acquired)", () => {
  const sub = { kind: "subOrchestration" as const, taskId: 5, name: "child", input: null, instanceId: "c1" };
  throwsRule(() => checkSubOrchestration(held(), sub), `ctx.callSub("child"): sub-orchestrations cannot start inside a critical section`);
  const acquiring: HolderLockRecord = {};
  onLockCommand(acquiring, { kind: "lock", taskId: 3, entities: [A("a")] }, "i1", 0);
  throwsRule(() => checkSubOrchestration(acquiring, sub), "ctx.callSub(");
  checkSubOrchestration({}, sub);
});

test("transactional calls only under their own transaction", () => {
  const r = held();
  assert.equal(tagEntityCall(r, call(A("a"), 3)), { requestId: "i1#0#3", transaction: true });
  throwsRule(() => tagEntityCall(r, call(A("a"), 99)), "tx.entity(");
  throwsRule(() => tagEntityCall({}, call(A("a"), 3)), "tx.entity(");
});

test("unlock releases every entity; unlocking what is not held is refused", () => {
  const r = held();
  throwsRule(() => onUnlockCommand(r, { kind: "unlock", lockTaskId: 7, entities: [] }), "unlock: lock task 7 is not held");
  assert.equal(onUnlockCommand(r, { kind: "unlock", lockTaskId: 3, entities: [] }).map((m) => [m.kind, (m as any).entity.key]), [
    ["lockRelease", "a"], ["lockRelease", "b"],
  ]);
  throwsRule(() => onUnlockCommand(r, { kind: "unlock", lockTaskId: 3, entities: [] }), "unlock: lock task 3 is not held");
});

test("ending with an open transaction aborts it, then releases", () => {
  const r = held();
  tagEntityCall(r, call(A("a"), 3));
  const out = releaseOnEnd(r);
  assert.equal(out.map((m) => `${m.kind}:${(m as any).entity.key}:${(m as any).commit ?? ""}`), [
    "transactionEnd:a:false", "transactionEnd:b:false", "lockRelease:a:", "lockRelease:b:",
  ]);
  assert.equal(releaseOnEnd(r), [], "releasing twice sends nothing");
});

test("a committed transaction then unlock: commit messages, then plain releases", () => {
  const r = held();
  tagEntityCall(r, call(A("a"), 3));
  assert.equal(onEndTransactionCommand(r, { kind: "endTransaction", lockTaskId: 3, entities: [], commit: true }).map((m) => m.commit), [true, true]);
  assert.equal(onUnlockCommand(r, { kind: "unlock", lockTaskId: 3, entities: [] }).map((m) => m.kind), ["lockRelease", "lockRelease"]);
});

test("a grant nobody waits for is given back", () => {
  const grant = { kind: "lockGranted" as const, requestId: "i1#0#3", holder: "i1", lockTaskId: 3, lockSet: [A("a"), A("b")] };
  for (const [record, running] of [[undefined, true], [{}, true], [held(), true]] as const) {
    const outcome = onLockGranted(record as HolderLockRecord | undefined, grant, running);
    assert.is(outcome.kind, "giveBack");
  }
  const r: HolderLockRecord = {};
  onLockCommand(r, { kind: "lock", taskId: 3, entities: [A("a"), A("b")] }, "i1", 0);
  const ended = onLockGranted(r, grant, false);
  assert.is(ended.kind, "giveBack");
  if (ended.kind === "giveBack") assert.is(ended.releases.length, 2);
});

test.run();
