/**
 * Binds the entity scheduler (scheduler.ts) to the partition core: the lock
 * record lives in the entity record's `ext.lock`, protocol messages go into
 * the batch's outbox, queued operations run through the core's operation
 * runner, and staged transaction state applies through `applyStaged`.
 *
 * Invariant: `withEntityLock` saves the entity record (lock record included,
 * or removed when idle) in the same batch as everything the handler did.
 */
import type { Json } from "../../backends/types.ts";
import type { EntityId } from "../../machine.ts";
import type { Batch } from "../batch.ts";
import { entityRecord, runEntityOperation, saveEntity } from "../entity-operation.ts";
import type { AnyMessage, EntityOperationMessage } from "../messages.ts";
import type { EntityRecord } from "../state/entity.ts";
import { targetOf } from "./lock-messages.ts";
import { assertRecord, emptyLockRecord, isIdle, type EntityLockRecord, type EntitySchedulerHost } from "./scheduler.ts";
import { runTransactionalOperation, type StagedEffect } from "./transactional-operation.ts";

export type EntityLock = EntityLockRecord<EntityOperationMessage>;

export function lockOf(rec: EntityRecord): EntityLock {
  return (rec.ext.lock as unknown as EntityLock | undefined) ?? emptyLockRecord();
}

/** Stores the lock record back (or drops it when idle) and saves the entity. */
export function storeLock(batch: Batch, rec: EntityRecord, lock: EntityLock): void {
  assertRecord(lock);
  if (isIdle(lock)) delete rec.ext.lock;
  else rec.ext.lock = lock as unknown as Json;
  saveEntity(batch, rec);
}

export function schedulerHost(batch: Batch, rec: EntityRecord, lock: EntityLock): EntitySchedulerHost<EntityOperationMessage> {
  return {
    entity: rec.entity,
    send(message) {
      const target = targetOf(message);
      if ("entity" in target) batch.sendToEntity(target.entity, message as unknown as AnyMessage);
      else batch.sendToInstance(target.instance, message as unknown as AnyMessage);
    },
    runOperation(op) {
      // A queued operation is never transactional: the holder's own calls are admitted at once.
      if (op.requestId !== undefined) throw new Error(`entity lock: a call of critical section ${op.requestId} was queued`);
      runEntityOperation(batch, rec, op);
    },
    applyStaged(staged) {
      rec.exists = staged.exists;
      rec.state = staged.state as Json;
      for (const effect of staged.effects as StagedEffect[]) {
        if (effect.entity) batch.sendToEntity(effect.entity, effect.body);
        else batch.sendToInstance(effect.instanceId!, effect.body);
      }
    },
  };
}

/** Loads the entity and its lock record, runs `fn`, and saves both in this batch. */
export function withEntityLock(batch: Batch, entity: EntityId, fn: (lock: EntityLock, host: EntitySchedulerHost<EntityOperationMessage>, rec: EntityRecord) => void): void {
  const rec = entityRecord(batch, entity);
  const lock = lockOf(rec);
  // The lock record is live in ext while fn runs: operations run from the queue save the record with it.
  rec.ext.lock = lock as unknown as Json;
  fn(lock, schedulerHost(batch, rec, lock), rec);
  storeLock(batch, rec, lock);
}

export { runTransactionalOperation };
