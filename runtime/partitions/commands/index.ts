/**
 * The core's command table. `lock`, `unlock` and `endTransaction` are
 * registered by runtime/partitions/entities (registerCommandHandler); without
 * them a step that asks for one fails its instance with UnsupportedCommand.
 */
import { registerCommandHandler } from "../registry.ts";
import { onActivity } from "./activity.ts";
import { onCallEntity } from "./call-entity.ts";
import { onSetStatus } from "./set-status.ts";
import { onSignalEntity } from "./signal-entity.ts";
import { onSubOrchestration } from "./sub-orchestration.ts";
import { onTimer } from "./timer.ts";
import { onWaitEvent } from "./wait-event.ts";

registerCommandHandler("activity", onActivity);
registerCommandHandler("subOrchestration", onSubOrchestration);
registerCommandHandler("timer", onTimer);
registerCommandHandler("waitEvent", onWaitEvent);
registerCommandHandler("callEntity", onCallEntity);
registerCommandHandler("signalEntity", onSignalEntity);
registerCommandHandler("setStatus", onSetStatus);
