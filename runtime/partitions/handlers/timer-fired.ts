/**
 * Local `timerFired`: delete the timer object and wake the instance.
 * Invariant: fires only while the object exists, so at most once.
 */
import { deliverWake } from "../lifecycle.ts";
import type { TimerFiredEvent } from "../messages.ts";
import type { MessageHandler } from "../registry.ts";
import { instanceKey } from "../state/instance.ts";
import { instanceOfTaskKey } from "../state/task-key.ts";
import type { TimerRecord } from "../state/timers.ts";

export const timerFired: MessageHandler<TimerFiredEvent> = {
  keys: (m) => [instanceKey(instanceOfTaskKey(m.key))],
  apply(m, batch) {
    const timer = batch.objects.get<TimerRecord>(m.key);
    if (!timer) return;
    batch.objects.delete(m.key);
    deliverWake(batch, batch.instance(timer.instanceId), timer.execution, timer.taskId, { ok: true, value: { $nwc: "undefined" } }, { kind: "timer" });
  },
};
