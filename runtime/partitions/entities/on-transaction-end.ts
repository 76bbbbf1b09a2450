/**
 * Handler of `transactionEnd` at an entity (docs/entities.md 3, step 3):
 * commit makes the staged copy the entity's state and sends the signals and
 * starts it staged; abort drops them. The lock stays held until the release,
 * which the holder sends after this message on the same ordered channel.
 *
 * Invariant: staged state is applied at most once (it is removed in the same
 * commit), and only for the transaction that holds the lock.
 */
import type { TransactionEndMessage } from "./lock-messages.ts";
import type { EntityLockRecord, EntitySchedulerHost } from "./scheduler.ts";

export function onTransactionEnd<Op>(record: EntityLockRecord<Op>, end: TransactionEndMessage, host: EntitySchedulerHost<Op>): void {
  if (record.lockedBy?.requestId !== end.requestId) return;
  const staged = record.staged;
  record.staged = undefined;
  // No transactional operation reached this entity: nothing was staged, nothing to apply.
  if (staged === undefined) return;
  if (staged.requestId !== end.requestId) throw new Error("transactionEnd: staged state of another transaction");
  if (end.commit) host.applyStaged(staged);
}
