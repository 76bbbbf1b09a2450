/**
 * OutboxState: messages this partition sent and the receiver has not yet
 * confirmed, one object per receiving partition (key `outbox:<to>`), plus the
 * next sequence number for that receiver.
 *
 * Invariants: a message enters the outbox in the batch that produced it and
 * is sent only after that batch's commit (`logPosition` <= durable position);
 * it leaves only when the receiver acknowledges a seq >= its own; seqs per
 * receiver are contiguous from 1. After recovery everything here is re-sent.
 */
import type { Json } from "../../backends/types.ts";

export const OUTBOX_PREFIX = "outbox:";
export const outboxKey = (to: number): string => OUTBOX_PREFIX + to;

export interface OutboxEntry {
  seq: number;
  body: Json;
  /** Commit position of the batch that produced the message. */
  logPosition: number;
}

export interface OutboxRecord {
  to: number;
  nextSeq: number;
  pending: OutboxEntry[];
}

export function emptyOutbox(to: number): OutboxRecord {
  return { to, nextSeq: 1, pending: [] };
}

export function enqueue(outbox: OutboxRecord, body: Json, logPosition: number): OutboxEntry {
  const entry = { seq: outbox.nextSeq++, body, logPosition };
  outbox.pending.push(entry);
  return entry;
}

/** Drops confirmed entries; returns how many were removed. */
export function acknowledge(outbox: OutboxRecord, upTo: number): number {
  if (upTo >= outbox.nextSeq) throw new Error(`outbox to ${outbox.to}: ack for seq ${upTo} but only ${outbox.nextSeq - 1} were sent`);
  let n = 0;
  while (outbox.pending.length > 0 && outbox.pending[0].seq <= upTo) {
    outbox.pending.shift();
    n++;
  }
  return n;
}
