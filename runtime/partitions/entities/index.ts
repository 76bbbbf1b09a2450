/**
 * The entity-lock extension of the partition core: registers the lock
 * protocol's message handlers (one per kind), its command handlers (lock,
 * unlock, endTransaction) and its hooks. Imported by
 * runtime/partitions/extensions.ts. The protocol: docs/entities.md.
 */
import { commandHandlers, hooks, registerCommandHandler, registerMessageHandler, type CommandHandler } from "../registry.ts";
import { onEndTransaction } from "./commands/end-transaction.ts";
import { onLock } from "./commands/lock.ts";
import { onUnlock } from "./commands/unlock.ts";
import { lockGranted } from "./handlers/lock-granted.ts";
import { lockRelease } from "./handlers/lock-release.ts";
import { lockRequest } from "./handlers/lock-request.ts";
import { transactionEnd } from "./handlers/transaction-end.ts";
import { admitEntityOperation, checkSignalRule, checkSubOrchestrationRule, releaseAtEnd, tagCall } from "./hooks.ts";

registerMessageHandler("lockRequest", lockRequest);
registerMessageHandler("lockGranted", lockGranted);
registerMessageHandler("lockRelease", lockRelease);
registerMessageHandler("transactionEnd", transactionEnd);

registerCommandHandler("lock", onLock);
registerCommandHandler("unlock", onUnlock);
registerCommandHandler("endTransaction", onEndTransaction);

hooks.admitEntityOperation = admitEntityOperation;
hooks.tagEntityCall = tagCall;
hooks.checkSignal = checkSignalRule;
if (!hooks.onInstanceEnd.includes(releaseAtEnd)) hooks.onInstanceEnd.push(releaseAtEnd);

// The core has no hook for sub-orchestrations: check the rule, then run the core's handler.
const startSub = commandHandlers.get("subOrchestration") as CommandHandler | undefined;
if (!startSub) throw new Error("entities: load the core's command table (runtime/partitions/commands) before the entity extension");
if (!(startSub as { lockRuleChecked?: boolean }).lockRuleChecked) {
  const checked: CommandHandler = (command, instance, batch) => {
    checkSubOrchestrationRule(instance, command);
    startSub(command, instance, batch);
  };
  (checked as { lockRuleChecked?: boolean }).lockRuleChecked = true;
  commandHandlers.set("subOrchestration", checked);
}
