/**
 * `wake`: a completion from another instance or entity (sub-orchestration
 * end, entity reply) for a waiting task. Dropped if the execution it names
 * has ended (continue-as-new, termination): nobody waits for it any more.
 */
import { deliverWake } from "../lifecycle.ts";
import type { WakeMessage } from "../messages.ts";
import type { MessageHandler } from "../registry.ts";
import { instanceKey } from "../state/instance.ts";

export const wake: MessageHandler<WakeMessage> = {
  keys: (m) => [instanceKey(m.to.instanceId)],
  apply(m, batch) {
    deliverWake(batch, batch.instance(m.to.instanceId), m.to.execution, m.to.taskId, m.result, m.source ?? { kind: "reply" });
  },
};
