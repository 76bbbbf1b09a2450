/**
 * Message `transactionEnd` at an entity (docs/entities.md 3 step 3): apply or
 * drop the staged state. Logic: ../on-transaction-end.ts.
 */
import type { MessageHandler } from "../../registry.ts";
import { entityObjectKey } from "../../state/entity.ts";
import { withEntityLock } from "../entity-binding.ts";
import type { TransactionEndMessage } from "../lock-messages.ts";
import { onTransactionEnd } from "../on-transaction-end.ts";

export const transactionEnd: MessageHandler<TransactionEndMessage & { [field: string]: unknown }> = {
  keys: (m) => [entityObjectKey(m.entity)],
  apply(m, batch) {
    withEntityLock(batch, m.entity, (lock, host) => onTransactionEnd(lock, m, host));
  },
};
