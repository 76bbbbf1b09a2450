/**
 * Binds the holder's lock record (holder.ts) to the partition core: it lives
 * in the instance record's `ext.locks`, and protocol messages go into the
 * batch's outbox.
 *
 * Invariant: the record is removed from `ext` when nothing is pending or held,
 * so a finished instance carries no lock state.
 */
import type { Json } from "../../backends/types.ts";
import type { Batch } from "../batch.ts";
import type { AnyMessage } from "../messages.ts";
import type { InstanceRecord } from "../state/instance.ts";
import { isHolderIdle, type HolderLockRecord } from "./holder.ts";
import { targetOf, type LockProtocolMessage } from "./lock-messages.ts";

export function holderLocks(rec: InstanceRecord): HolderLockRecord {
  const existing = rec.ext.locks as unknown as HolderLockRecord | undefined;
  if (existing) return existing;
  const fresh: HolderLockRecord = {};
  rec.ext.locks = fresh as unknown as Json;
  return fresh;
}

export function storeHolderLocks(batch: Batch, rec: InstanceRecord): void {
  if (isHolderIdle(rec.ext.locks as unknown as HolderLockRecord | undefined)) delete rec.ext.locks;
  else {
    // Drop keys set to undefined: the record must stay plain JSON.
    rec.ext.locks = JSON.parse(JSON.stringify(rec.ext.locks)) as Json;
  }
  batch.touchInstance(rec, false);
}

export function sendAll(batch: Batch, messages: readonly LockProtocolMessage[]): void {
  for (const message of messages) {
    const target = targetOf(message);
    if ("entity" in target) batch.sendToEntity(target.entity, message as unknown as AnyMessage);
    else batch.sendToInstance(target.instance, message as unknown as AnyMessage);
  }
}
