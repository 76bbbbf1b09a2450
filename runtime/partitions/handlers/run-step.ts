/**
 * Local `runStep`: an instance has wakes left from the previous batch's step
 * phase (one step per instance per batch); step it now.
 */
import { runStepKey } from "../markers.ts";
import type { RunStepEvent } from "../messages.ts";
import type { MessageHandler } from "../registry.ts";
import { instanceKey } from "../state/instance.ts";

export const runStepEvent: MessageHandler<RunStepEvent> = {
  keys: (m) => [instanceKey(m.instanceId)],
  apply(m, batch) {
    if (batch.objects.get(runStepKey(m.instanceId)) !== undefined) batch.objects.delete(runStepKey(m.instanceId));
    const rec = batch.instance(m.instanceId);
    if (rec && rec.frame !== null) batch.scheduleStep(m.instanceId);
  },
};
