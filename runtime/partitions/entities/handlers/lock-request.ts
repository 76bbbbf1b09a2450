/**
 * Message `lockRequest` at the entity it names (docs/entities.md 2.3 step 2):
 * grant and forward in this batch, or queue. Logic: ../on-lock-request.ts.
 */
import type { MessageHandler } from "../../registry.ts";
import { entityObjectKey } from "../../state/entity.ts";
import { withEntityLock } from "../entity-binding.ts";
import type { LockRequestMessage } from "../lock-messages.ts";
import { onLockRequest } from "../on-lock-request.ts";

export const lockRequest: MessageHandler<LockRequestMessage & { [field: string]: unknown }> = {
  keys: (m) => [entityObjectKey(m.lockSet[m.position])],
  apply(m, batch) {
    withEntityLock(batch, m.lockSet[m.position], (lock, host) => onLockRequest(lock, m, host));
  },
};
