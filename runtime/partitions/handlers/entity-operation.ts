/**
 * `entityOperation`: a call or a signal for an entity of this partition. Runs
 * now unless an extension (entity locks) queues it.
 */
import { entityRecord, runEntityOperation } from "../entity-operation.ts";
import type { EntityOperationMessage } from "../messages.ts";
import { hooks, type MessageHandler } from "../registry.ts";
import { entityObjectKey } from "../state/entity.ts";

export const entityOperation: MessageHandler<EntityOperationMessage> = {
  keys: (m) => [entityObjectKey(m.entity)],
  apply(m, batch) {
    const rec = entityRecord(batch, m.entity);
    if (hooks.admitEntityOperation && hooks.admitEntityOperation(rec, m, batch) === "queued") return;
    runEntityOperation(batch, rec, m);
  },
};
