/**
 * `terminate`: end a running (or waiting) instance with status Terminated;
 * the reason becomes its output. A finished instance is left as it is.
 */
import { finishInstance } from "../lifecycle.ts";
import type { TerminateMessage } from "../messages.ts";
import type { MessageHandler } from "../registry.ts";
import { instanceKey, isFinished } from "../state/instance.ts";

export const terminate: MessageHandler<TerminateMessage> = {
  keys: (m) => [instanceKey(m.instanceId)],
  apply(m, batch) {
    const rec = batch.instance(m.instanceId);
    if (!rec || isFinished(rec.status)) return;
    finishInstance(batch, rec, "Terminated", { output: m.reason });
  },
};
