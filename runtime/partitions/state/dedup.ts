/**
 * DedupState: for every sender, the last sequence number applied here and the
 * messages that arrived ahead of a gap. One object, key `dedup`, committed
 * with every batch that changes it, so "applied" and "the state it produced"
 * are in the same commit record.
 *
 * Invariant: a message is applied iff its seq is exactly last+1; then last
 * advances by one. Lower seqs are duplicates (dropped), higher ones wait in
 * `held` until the gap closes. So every sender's messages apply exactly once
 * and in send order, whatever the channel does.
 */
import type { Envelope, Json } from "../../backends/types.ts";

export const DEDUP_KEY = "dedup";

/** Messages held back per sender: a sender ahead by more than this is re-sending anyway (outbox), so the rest is dropped. */
export const MAX_HELD_PER_SENDER = 1024;

export interface DedupRecord {
  last: Record<string, number>;
  held: Record<string, { seq: number; body: Json }[]>;
}

export function emptyDedup(): DedupRecord {
  return { last: {}, held: {} };
}

export type Admission = { kind: "apply"; bodies: Json[] } | { kind: "duplicate" } | { kind: "held" } | { kind: "overflow" };

/** Decide what to do with one sequenced envelope; mutates `dedup`. `bodies` are this message and any it released, in order. */
export function admit(dedup: DedupRecord, envelope: Envelope): Admission {
  if (!(Number.isInteger(envelope.seq) && envelope.seq >= 1)) throw new Error(`dedup: envelope from ${envelope.from} has seq ${envelope.seq}; sequenced messages start at 1`);
  const last = dedup.last[envelope.from] ?? 0;
  if (envelope.seq <= last) return { kind: "duplicate" };
  if (envelope.seq > last + 1) {
    const held = (dedup.held[envelope.from] ??= []);
    if (held.some((h) => h.seq === envelope.seq)) return { kind: "duplicate" };
    if (held.length >= MAX_HELD_PER_SENDER) return { kind: "overflow" };
    held.push({ seq: envelope.seq, body: envelope.body });
    held.sort((a, b) => a.seq - b.seq);
    return { kind: "held" };
  }
  const bodies = [envelope.body];
  let next = envelope.seq;
  const held = dedup.held[envelope.from];
  if (held) {
    while (held.length > 0 && held[0].seq <= next + 1) {
      const h = held.shift()!;
      if (h.seq === next + 1) {
        bodies.push(h.body);
        next = h.seq;
      }
    }
    if (held.length === 0) delete dedup.held[envelope.from];
  }
  dedup.last[envelope.from] = next;
  return { kind: "apply", bodies };
}
