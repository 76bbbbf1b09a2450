/**
 * Command `unlock` (the end of an `await using` scope of ctx.lock, or of
 * ctx.transaction): release every entity of the set.
 */
import type { Command } from "../../../machine.ts";
import type { Batch } from "../../batch.ts";
import type { InstanceRecord } from "../../state/instance.ts";
import { onUnlockCommand } from "../holder.ts";
import { holderLocks, sendAll, storeHolderLocks } from "../holder-binding.ts";

export function onUnlock(command: Extract<Command, { kind: "unlock" }>, rec: InstanceRecord, batch: Batch): void {
  const messages = onUnlockCommand(holderLocks(rec), command);
  storeHolderLocks(batch, rec);
  sendAll(batch, messages);
}
