/**
 * Handler of `lockRelease` at an entity (docs/entities.md 2.5): the holder's
 * critical section is over, so unlock, drop any staged transaction state (an
 * open transaction that is released without `transactionEnd` commit was
 * aborted), and run what waited until the next lock request takes the lock.
 *
 * Invariant: only a release naming the current holder changes anything; a
 * stale or duplicate release is ignored, so releasing twice is harmless.
 */
import type { LockReleaseMessage } from "./lock-messages.ts";
import { drain, type EntityLockRecord, type EntitySchedulerHost } from "./scheduler.ts";

export function onLockRelease<Op>(record: EntityLockRecord<Op>, release: LockReleaseMessage, host: EntitySchedulerHost<Op>): boolean {
  if (record.lockedBy?.requestId !== release.requestId) return false;
  record.lockedBy = undefined;
  record.staged = undefined;
  drain(record, host);
  return true;
}
