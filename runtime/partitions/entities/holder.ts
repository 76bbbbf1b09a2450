/**
 * The holder's side of critical sections: the lock record an orchestration
 * instance keeps, the rules its commands must obey (docs/entities.md 4), and
 * the messages its lock, unlock and endTransaction commands turn into.
 *
 * Invariants:
 * - at most one lock per instance is pending or held (no nesting);
 * - a tagged call (carrying `requestId`) is sent only while that lock is held,
 *   so it reaches an entity that is locked for it;
 * - when the instance ends, whatever it holds is released in the same commit
 *   (`releaseOnEnd`); an open transaction is aborted before.
 */
import type { Command, EntityId, TaskId } from "../../machine.ts";
import { ruleErrors } from "./errors.ts";
import {
  lockRequestId,
  type LockProtocolMessage,
  type LockReleaseMessage,
  type TransactionEndMessage,
} from "./lock-messages.ts";
import { lockSetHas, sortLockSet } from "./lock-order.ts";

export interface LockHold {
  requestId: string;
  lockTaskId: TaskId;
  lockSet: EntityId[];
}

export interface HolderLockRecord {
  pending?: LockHold;
  held?: LockHold & { transactionOpen: boolean };
}

export function isHolderIdle(record: HolderLockRecord | undefined): boolean {
  return record === undefined || (record.pending === undefined && record.held === undefined);
}

type LockCommand = Extract<Command, { kind: "lock" }>;
type UnlockCommand = Extract<Command, { kind: "unlock" }>;
type EndTransactionCommand = Extract<Command, { kind: "endTransaction" }>;
type CallEntityCommand = Extract<Command, { kind: "callEntity" }>;
type SignalEntityCommand = Extract<Command, { kind: "signalEntity" }>;

/** `lock`: record the pending request and send it to the first entity of the sorted set. Throws CriticalSectionError. */
export function onLockCommand(
  record: HolderLockRecord,
  command: LockCommand,
  instanceId: string,
  execution: string | number,
): LockProtocolMessage[] {
  const current = record.held ?? record.pending;
  if (current) throw ruleErrors.nested(current.lockSet);
  if (command.entities.length === 0) throw ruleErrors.empty();
  const lockSet = sortLockSet(command.entities);
  const requestId = lockRequestId(instanceId, execution, command.taskId);
  record.pending = { requestId, lockTaskId: command.taskId, lockSet };
  return [{ kind: "lockRequest", requestId, holder: instanceId, lockTaskId: command.taskId, lockSet, position: 0 }];
}

/** `unlock`: the scope ended; release every entity of the set. Throws CriticalSectionError. */
export function onUnlockCommand(record: HolderLockRecord, command: UnlockCommand): LockProtocolMessage[] {
  const held = record.held;
  if (!held || held.lockTaskId !== command.lockTaskId) throw ruleErrors.unlockNotHeld(command.lockTaskId);
  record.held = undefined;
  const out: LockProtocolMessage[] = held.transactionOpen ? abortMessages(held) : [];
  return out.concat(releaseMessages(held));
}

/** `endTransaction`: commit or abort the staged state on every entity of the set. Throws CriticalSectionError. */
export function onEndTransactionCommand(record: HolderLockRecord, command: EndTransactionCommand): TransactionEndMessage[] {
  const held = record.held;
  if (!held || held.lockTaskId !== command.lockTaskId) throw ruleErrors.unlockNotHeld(command.lockTaskId);
  held.transactionOpen = false;
  return held.lockSet.map((entity) => ({ kind: "transactionEnd", requestId: held.requestId, entity, commit: command.commit }));
}

/** What a call must carry: the lock it runs under (and whether on staged state). Throws CriticalSectionError. */
export function tagEntityCall(
  record: HolderLockRecord,
  command: CallEntityCommand,
): { requestId?: string; transaction?: boolean } {
  if (record.pending && !record.held) {
    if (command.transactionId !== undefined) throw ruleErrors.noTransaction(command.entity, command.transactionId);
    throw ruleErrors.callWhileAcquiring(command.entity);
  }
  const held = record.held;
  if (!held) {
    if (command.transactionId !== undefined) throw ruleErrors.noTransaction(command.entity, command.transactionId);
    return {};
  }
  if (!lockSetHas(held.lockSet, command.entity)) throw ruleErrors.callNotHeld(command.entity, held.lockSet);
  if (command.transactionId === undefined) return { requestId: held.requestId };
  if (command.transactionId !== held.lockTaskId) throw ruleErrors.noTransaction(command.entity, command.transactionId);
  held.transactionOpen = true;
  return { requestId: held.requestId, transaction: true };
}

/** A signal may not target a held entity: it would wait behind the holder's own lock. Throws CriticalSectionError. */
export function checkSignal(record: HolderLockRecord, command: SignalEntityCommand): void {
  const current = record.held ?? record.pending;
  if (current && lockSetHas(current.lockSet, command.entity)) throw ruleErrors.signalHeld(command.entity);
}

type SubOrchestrationCommand = Extract<Command, { kind: "subOrchestration" }>;

/**
 * No sub-orchestration inside a critical section (as in Durable Functions): a
 * child that locks an entity its parent holds would wait forever, and the
 * parent for it. Throws CriticalSectionError.
 */
export function checkSubOrchestration(record: HolderLockRecord, command: SubOrchestrationCommand): void {
  const current = record.held ?? record.pending;
  if (current) throw ruleErrors.subOrchestration(command.name, current.lockSet);
}

/**
 * The instance completed, failed, continued as new or was terminated: abort an
 * open transaction and release what it holds. A pending request is forgotten;
 * its grant, when it arrives, finds no matching request and is given back.
 */
export function releaseOnEnd(record: HolderLockRecord): LockProtocolMessage[] {
  const held = record.held;
  record.held = undefined;
  record.pending = undefined;
  if (!held) return [];
  const out: LockProtocolMessage[] = held.transactionOpen ? abortMessages(held) : [];
  return out.concat(releaseMessages(held));
}

export function releaseMessages(hold: { requestId: string; lockSet: readonly EntityId[] }): LockReleaseMessage[] {
  return hold.lockSet.map((entity) => ({ kind: "lockRelease", requestId: hold.requestId, entity }));
}

function abortMessages(hold: LockHold): TransactionEndMessage[] {
  return hold.lockSet.map((entity) => ({ kind: "transactionEnd", requestId: hold.requestId, entity, commit: false }));
}
