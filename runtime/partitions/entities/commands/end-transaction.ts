/**
 * Command `endTransaction` (the body of ctx.transaction returned or threw):
 * tell every entity of the set to apply or drop its staged state. The lock
 * stays held until the `unlock` that follows.
 */
import type { Command } from "../../../machine.ts";
import type { Batch } from "../../batch.ts";
import type { InstanceRecord } from "../../state/instance.ts";
import { onEndTransactionCommand } from "../holder.ts";
import { holderLocks, sendAll, storeHolderLocks } from "../holder-binding.ts";

export function onEndTransaction(command: Extract<Command, { kind: "endTransaction" }>, rec: InstanceRecord, batch: Batch): void {
  const messages = onEndTransactionCommand(holderLocks(rec), command);
  storeHolderLocks(batch, rec);
  sendAll(batch, messages);
}
