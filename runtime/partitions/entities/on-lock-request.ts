/**
 * Handler of `lockRequest` at an entity (docs/entities.md 2.3, step 2): a free
 * entity grants and forwards in this batch's commit; a locked one queues the
 * request behind what already waits.
 *
 * Invariant: a request is granted or queued exactly once; a duplicate (same
 * requestId already holding or waiting) changes nothing.
 */
import type { LockRequestMessage } from "./lock-messages.ts";
import { sameEntity } from "./lock-order.ts";
import { grant, type EntityLockRecord, type EntitySchedulerHost } from "./scheduler.ts";

export function onLockRequest<Op>(record: EntityLockRecord<Op>, request: LockRequestMessage, host: EntitySchedulerHost<Op>): void {
  if (!(request.position >= 0 && request.position < request.lockSet.length)) {
    throw new Error(`lockRequest ${request.requestId}: position ${request.position} outside its lock set`);
  }
  if (!sameEntity(request.lockSet[request.position], host.entity)) {
    throw new Error(`lockRequest ${request.requestId}: delivered to the wrong entity`);
  }
  if (record.lockedBy?.requestId === request.requestId) return;
  if (record.queue.some((q) => q.kind === "lock" && q.request.requestId === request.requestId)) return;
  if (record.lockedBy !== undefined) {
    record.queue.push({ kind: "lock", request });
    return;
  }
  grant(record, request, host);
}
