/**
 * Command `lock` (ctx.lock, ctx.transaction): check the rules, record the
 * pending request and send it to the first entity of the sorted set.
 * Throws CriticalSectionError (failing the instance) on a rule violation.
 */
import type { Command } from "../../../machine.ts";
import type { Batch } from "../../batch.ts";
import type { InstanceRecord } from "../../state/instance.ts";
import { onLockCommand } from "../holder.ts";
import { holderLocks, sendAll, storeHolderLocks } from "../holder-binding.ts";

export function onLock(command: Extract<Command, { kind: "lock" }>, rec: InstanceRecord, batch: Batch): void {
  const messages = onLockCommand(holderLocks(rec), command, rec.instanceId, rec.execution);
  storeHolderLocks(batch, rec);
  sendAll(batch, messages);
}
