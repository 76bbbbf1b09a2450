/**
 * The core's message table: one handler per kind. Extensions add theirs with
 * registerMessageHandler (runtime/partitions/extensions.ts lists them).
 */
import { registerMessageHandler } from "../registry.ts";
import { ack } from "./ack.ts";
import { activityResult } from "./activity-result.ts";
import { entityOperation } from "./entity-operation.ts";
import { purgeInstance } from "./purge.ts";
import { raiseEvent } from "./raise-event.ts";
import { resumeSuspended } from "./resume-suspended.ts";
import { runStepEvent } from "./run-step.ts";
import { startInstance } from "./start-instance.ts";
import { terminate } from "./terminate.ts";
import { timerFired } from "./timer-fired.ts";
import { upgradeInstance } from "./upgrade-instance.ts";
import { wake } from "./wake.ts";

registerMessageHandler("startInstance", startInstance);
registerMessageHandler("wake", wake);
registerMessageHandler("raiseEvent", raiseEvent);
registerMessageHandler("terminate", terminate);
registerMessageHandler("purgeInstance", purgeInstance);
registerMessageHandler("entityOperation", entityOperation);
registerMessageHandler("ack", ack);
registerMessageHandler("activityResult", activityResult);
registerMessageHandler("timerFired", timerFired);
registerMessageHandler("runStep", runStepEvent);
registerMessageHandler("resumeSuspended", resumeSuspended);
registerMessageHandler("upgradeInstance", upgradeInstance);
