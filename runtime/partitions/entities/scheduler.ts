/**
 * An entity's scheduler record: who holds its lock, what waits behind the
 * lock, and the state a transaction staged (docs/entities.md 2.4, 3). It is
 * stored inside the entity's record, so it changes in the same commit as the
 * entity state and the messages it causes.
 *
 * Invariants:
 * - `queue` is non-empty only while `lockedBy` is set (an unlocked entity runs
 *   what arrives and drains what waited);
 * - `staged` exists only under the lock of the transaction that staged it;
 * - a lock is granted in one place (`grant`), which sets `lockedBy` and sends
 *   the forward or the final grant together: never one without the other.
 */
import type { EntityId } from "../../machine.ts";
import type { LockGrantedMessage, LockRequestMessage } from "./lock-messages.ts";
import { sameEntity } from "./lock-order.ts";

export type QueuedMessage<Op> = { kind: "op"; op: Op } | { kind: "lock"; request: LockRequestMessage };

/** What a transaction wrote to one entity, applied on commit and dropped on abort. */
export interface StagedTransaction {
  requestId: string;
  /** False once a transactional operation called `ectx.deleteState()`. */
  exists: boolean;
  state: unknown;
  /** Signals and starts the transactional operations asked for, in order; sent on commit. */
  effects: unknown[];
}

export interface EntityLockRecord<Op> {
  lockedBy?: { requestId: string; holder: string };
  queue: QueuedMessage<Op>[];
  staged?: StagedTransaction;
}

/** What the scheduler needs from the partition that runs the entity. */
export interface EntitySchedulerHost<Op> {
  readonly entity: EntityId;
  /** Put a protocol message in the outbox of the current batch. */
  send(message: LockRequestMessage | LockGrantedMessage): void;
  /** Run an operation that waited in the queue, exactly as if it had just arrived on an unlocked entity. */
  runOperation(op: Op): void;
  /** Make the staged state the entity's state and send its staged effects. */
  applyStaged(staged: StagedTransaction): void;
}

export function emptyLockRecord<Op>(): EntityLockRecord<Op> {
  return { queue: [] };
}

/** Nothing held, queued or staged: the record may be dropped. */
export function isIdle(record: EntityLockRecord<unknown> | undefined): boolean {
  return record === undefined || (record.lockedBy === undefined && record.queue.length === 0 && record.staged === undefined);
}

export function assertRecord(record: EntityLockRecord<unknown>): void {
  if (record.lockedBy === undefined && record.queue.length > 0) {
    throw new Error("entity lock record: messages are queued on an unlocked entity");
  }
  if (record.staged && record.staged.requestId !== record.lockedBy?.requestId) {
    throw new Error("entity lock record: staged state belongs to a request that does not hold the lock");
  }
}

/**
 * Should an operation that arrived now run, or wait? `requestId` is the lock
 * the caller says it holds (set only on calls from inside a critical section).
 */
export function admitOperation<Op>(record: EntityLockRecord<Op>, op: Op, requestId: string | undefined): "run" | "queued" {
  if (record.lockedBy === undefined) {
    if (requestId !== undefined) {
      // The holder sends tagged calls only between the grant and its release, on the same ordered channel as the release.
      throw new Error(`entity lock: an operation of critical section ${requestId} reached an unlocked entity`);
    }
    return "run";
  }
  if (requestId === record.lockedBy.requestId) return "run";
  if (requestId !== undefined) {
    throw new Error(`entity lock: an operation of critical section ${requestId} reached an entity held by ${record.lockedBy.requestId}`);
  }
  record.queue.push({ kind: "op", op });
  return "queued";
}

/** Lock the entity for `request` and pass the request on: to the next entity of the set, or back to the holder. */
export function grant<Op>(record: EntityLockRecord<Op>, request: LockRequestMessage, host: EntitySchedulerHost<Op>): void {
  if (record.lockedBy !== undefined) throw new Error("entity lock: grant on a locked entity");
  if (!sameEntity(request.lockSet[request.position], host.entity)) {
    throw new Error(`entity lock: request ${request.requestId} at position ${request.position} reached the wrong entity`);
  }
  record.lockedBy = { requestId: request.requestId, holder: request.holder };
  const next = request.position + 1;
  if (next < request.lockSet.length) {
    host.send({ ...request, position: next });
  } else {
    host.send({
      kind: "lockGranted",
      requestId: request.requestId,
      holder: request.holder,
      lockTaskId: request.lockTaskId,
      lockSet: request.lockSet,
    });
  }
}

/** Run what waited, in arrival order, until a lock request takes the lock again. */
export function drain<Op>(record: EntityLockRecord<Op>, host: EntitySchedulerHost<Op>): void {
  while (record.lockedBy === undefined && record.queue.length > 0) {
    const next = record.queue.shift()!;
    if (next.kind === "lock") grant(record, next.request, host);
    else host.runOperation(next.op);
  }
  assertRecord(record);
}
