/**
 * The lock protocol's hooks into the core (runtime/partitions/registry.ts):
 * - admitEntityOperation: an entity locked by someone else queues the
 *   operation; the holder's transactional calls run on staged state;
 * - tagEntityCall / checkSignal / sub-orchestrations: the rules of section 4 of docs/entities.md;
 * - onInstanceEnd: a finished instance aborts its open transaction and
 *   releases what it holds, in the commit that records its end.
 */
import type { Command } from "../../machine.ts";
import type { Batch } from "../batch.ts";
import { replyToCaller } from "../entity-operation.ts";
import type { EntityOperationMessage } from "../messages.ts";
import type { EntityRecord } from "../state/entity.ts";
import type { InstanceRecord } from "../state/instance.ts";
import { lockOf, runTransactionalOperation, storeLock } from "./entity-binding.ts";
import { checkSignal, checkSubOrchestration, releaseOnEnd, tagEntityCall } from "./holder.ts";
import { holderLocks, sendAll, storeHolderLocks } from "./holder-binding.ts";
import type { HolderLockRecord } from "./holder.ts";
import { admitOperation } from "./scheduler.ts";

export function admitEntityOperation(rec: EntityRecord, message: EntityOperationMessage, batch: Batch): "run" | "queued" {
  if (rec.ext.lock === undefined && message.requestId === undefined) return "run";
  const lock = lockOf(rec);
  if (message.requestId !== undefined && lock.lockedBy?.requestId !== message.requestId) {
    // Cannot happen while the protocol holds (a tagged call travels between the grant and the release,
    // on the release's ordered channel). Throwing here would crash the partition on every replay of
    // this message, so the call fails loudly instead and the partition keeps serving.
    const error = { name: "LockProtocolError", message: `entity ${rec.entity.name}(${rec.entity.key}): a call of critical section ${message.requestId} arrived while the entity is ${lock.lockedBy ? `held by ${lock.lockedBy.requestId}` : "not locked"}` };
    batch.env.log("error", error.message);
    if (message.caller) replyToCaller(batch, message, { ok: false, error });
    return "queued";
  }
  if (admitOperation(lock, message, message.requestId) === "queued") {
    storeLock(batch, rec, lock);
    return "queued";
  }
  if (message.transaction) {
    // Handled here, on the staged copy: "queued" tells the core not to run it on the committed state.
    runTransactionalOperation(batch, rec, lock, message);
    storeLock(batch, rec, lock);
    return "queued";
  }
  return "run";
}

export function tagCall(instance: InstanceRecord, command: Extract<Command, { kind: "callEntity" }>, message: EntityOperationMessage): void {
  const record = instance.ext.locks as unknown as HolderLockRecord | undefined;
  if (!record && command.transactionId === undefined) return;
  const tag = tagEntityCall(record ?? {}, command);
  if (tag.requestId !== undefined) message.requestId = tag.requestId;
  if (tag.transaction) message.transaction = true;
}

export function checkSignalRule(instance: InstanceRecord, command: Extract<Command, { kind: "signalEntity" }>): void {
  const record = instance.ext.locks as unknown as HolderLockRecord | undefined;
  if (record) checkSignal(record, command);
}

export function checkSubOrchestrationRule(instance: InstanceRecord, command: Extract<Command, { kind: "subOrchestration" }>): void {
  const record = instance.ext.locks as unknown as HolderLockRecord | undefined;
  if (record) checkSubOrchestration(record, command);
}

export function releaseAtEnd(instance: InstanceRecord, batch: Batch): void {
  if (instance.ext.locks === undefined) return;
  const messages = releaseOnEnd(holderLocks(instance));
  storeHolderLocks(batch, instance);
  sendAll(batch, messages);
}
