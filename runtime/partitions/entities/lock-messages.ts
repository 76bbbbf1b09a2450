/**
 * The message bodies of the lock protocol (docs/entities.md 2.2). They travel
 * between partitions like every other partition message: in the outbox of
 * the commit that produced them, with per-sender sequence numbers.
 *
 * Invariant: a `requestId` names one lock request of one execution of one
 * instance, forever: `<instanceId>#<execution>#<lockTaskId>`. It is
 * deterministic (a step run again after a crash asks with the same id) and an
 * entity only obeys a release or a transaction end that names its current holder.
 */
import type { EntityId, TaskId } from "../../machine.ts";

/** Travels along the sorted lock set: the entity at `lockSet[position]` grants and forwards it. */
export interface LockRequestMessage {
  kind: "lockRequest";
  requestId: string;
  /** The orchestration instance that asked. */
  holder: string;
  lockTaskId: TaskId;
  lockSet: EntityId[];
  position: number;
}

/** From the last entity of the set to the holder: every entity is now locked for `requestId`. */
export interface LockGrantedMessage {
  kind: "lockGranted";
  requestId: string;
  holder: string;
  lockTaskId: TaskId;
  lockSet: EntityId[];
}

/** From the holder to one entity: the critical section `requestId` is over. */
export interface LockReleaseMessage {
  kind: "lockRelease";
  requestId: string;
  entity: EntityId;
}

/** From the holder to one entity: apply (`commit`) or drop the state staged by transaction `requestId`. */
export interface TransactionEndMessage {
  kind: "transactionEnd";
  requestId: string;
  entity: EntityId;
  commit: boolean;
}

export type LockProtocolMessage =
  | LockRequestMessage
  | LockGrantedMessage
  | LockReleaseMessage
  | TransactionEndMessage;

/** Where a protocol message goes: an entity's partition or the holder instance's partition. */
export type LockMessageTarget = { entity: EntityId } | { instance: string };

export function targetOf(message: LockProtocolMessage): LockMessageTarget {
  switch (message.kind) {
    case "lockRequest":
      return { entity: message.lockSet[message.position] };
    case "lockGranted":
      return { instance: message.holder };
    case "lockRelease":
    case "transactionEnd":
      return { entity: message.entity };
  }
}

export function lockRequestId(instanceId: string, execution: string | number, lockTaskId: TaskId): string {
  return `${instanceId}#${execution}#${lockTaskId}`;
}

export function isLockProtocolMessage(body: unknown): body is LockProtocolMessage {
  const kind = (body as { kind?: unknown } | null)?.kind;
  return kind === "lockRequest" || kind === "lockGranted" || kind === "lockRelease" || kind === "transactionEnd";
}
