/**
 * `ack`: the receiver committed our messages up to `upTo`; drop them from
 * the outbox. Unsequenced: acks are monotonic and idempotent, so a lost or
 * repeated ack is harmless (the next re-send is acknowledged again).
 */
import type { AckMessage } from "../messages.ts";
import type { MessageHandler } from "../registry.ts";
import { acknowledge, outboxKey, type OutboxRecord } from "../state/outbox.ts";

export const ack: MessageHandler<AckMessage> = {
  keys: () => [],
  apply(m, batch, from) {
    const match = /^p(\d+)$/.exec(from);
    if (!match) throw new Error(`ack from ${from}: only partitions acknowledge`);
    const key = outboxKey(Number(match[1]));
    const outbox = batch.objects.get<OutboxRecord>(key);
    if (!outbox) return;
    if (acknowledge(outbox, m.upTo) > 0) batch.objects.touch(key);
  },
};
