/**
 * `ack`: the receiver committed our messages up to `upTo`; drop them from
 * the outbox. Unsequenced: acks are monotonic and idempotent, so a lost or
 * repeated ack is harmless (the next re-send is acknowledged again).
 */
import type { AckMessage } from "../messages.ts";
import type { MessageHandler } from "../registry.ts";
import { acknowledge } from "../state/outbox.ts";

export const ack: MessageHandler<AckMessage> = {
  keys: () => [],
  apply(m, batch, from) {
    const match = /^p(\d+)$/.exec(from);
    if (!match) throw new Error(`ack from ${from}: only partitions acknowledge`);
    acknowledge(batch.objects, Number(match[1]), m.upTo);
  },
};
