/**
 * `CriticalSectionError`: the error that fails an orchestration which breaks a
 * rule of critical sections at run time (docs/entities.md section 4). Each
 * message says what was wrong and how to fix the code.
 */
import type { EntityId, TaskId } from "../../machine.ts";

export class CriticalSectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CriticalSectionError";
  }
}

const show = (e: EntityId) => `(${JSON.stringify(e.name)}, ${JSON.stringify(e.key)})`;

export const ruleErrors = {
  nested: (held: readonly EntityId[]) =>
    new CriticalSectionError(
      `ctx.lock: a critical section is already held (or being acquired) over ${held.map(show).join(", ")}; ` +
        `critical sections do not nest: lock every entity you need in one ctx.lock(...) call`,
    ),
  empty: () =>
    new CriticalSectionError(`ctx.lock: no entities were given; pass at least one entity id, e.g. ctx.lock(account.id("a"))`),
  callNotHeld: (entity: EntityId, held: readonly EntityId[]) =>
    new CriticalSectionError(
      `ctx.entity${show(entity)}: the critical section does not hold this entity (it holds ${held.map(show).join(", ")}); ` +
        `add it to the ctx.lock(...) call, or call it after the critical section ends`,
    ),
  callWhileAcquiring: (entity: EntityId) =>
    new CriticalSectionError(
      `ctx.entity${show(entity)}: called while a ctx.lock(...) is still being acquired; await the lock before calling entities`,
    ),
  signalHeld: (entity: EntityId) =>
    new CriticalSectionError(
      `ctx.signal${show(entity)}: the entity is held by this critical section, and a signal would only run after the section ends; ` +
        `use ctx.entity(...) to call it inside the section, or signal it after the section`,
    ),
  noTransaction: (entity: EntityId, lockTaskId: TaskId | undefined) =>
    new CriticalSectionError(
      `tx.entity${show(entity)}: no transaction is open under this lock (transaction ${lockTaskId ?? "none"}); ` +
        `use tx only inside the body of its ctx.transaction(...)`,
    ),
  subOrchestration: (name: string, held: readonly EntityId[]) =>
    new CriticalSectionError(
      `ctx.callSub(${JSON.stringify(name)}): sub-orchestrations cannot start inside a critical section (it holds ${held.map(show).join(", ")}): ` +
        `one that locks a held entity would wait for its parent forever; start it before or after the section`,
    ),
  unlockNotHeld: (lockTaskId: TaskId) =>
    new CriticalSectionError(
      `unlock: lock task ${lockTaskId} is not held; a critical section is released once, at the end of its await using scope`,
    ),
};
