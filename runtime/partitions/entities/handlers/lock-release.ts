/**
 * Message `lockRelease` at an entity (docs/entities.md 2.5): unlock and run
 * what waited. Logic: ../on-lock-release.ts.
 */
import type { MessageHandler } from "../../registry.ts";
import { entityObjectKey } from "../../state/entity.ts";
import { withEntityLock } from "../entity-binding.ts";
import type { LockReleaseMessage } from "../lock-messages.ts";
import { onLockRelease } from "../on-lock-release.ts";

export const lockRelease: MessageHandler<LockReleaseMessage & { [field: string]: unknown }> = {
  keys: (m) => [entityObjectKey(m.entity)],
  apply(m, batch) {
    withEntityLock(batch, m.entity, (lock, host) => {
      onLockRelease(lock, m, host);
    });
  },
};
