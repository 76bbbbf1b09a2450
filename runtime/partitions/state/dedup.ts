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

/**
 * Client senders remembered at most; beyond it, those idle for CLIENT_SENDER_TTL_MS are forgotten.
 * Why it is safe: a client re-sends only within its retry window (seconds), so a sender idle for an
 * hour sends nothing old again. Why needed: every client process is a new sender id.
 */
export const MAX_CLIENT_SENDERS = 10_000;
export const CLIENT_SENDER_TTL_MS = 60 * 60 * 1000;

export interface DedupRecord {
  last: Record<string, number>;
  held: Record<string, { seq: number; body: Json }[]>;
  /** Client senders: time of their last admitted message (for forgetting idle ones). */
  seen?: Record<string, number>;
  /** Number of keys of `seen` (kept so admission stays O(1)). */
  seenCount?: number;
}

export function emptyDedup(): DedupRecord {
  return { last: {}, held: {} };
}

/** Records that a client sender was active; forgets idle clients beyond MAX_CLIENT_SENDERS. Returns whether anything was forgotten. */
export function noteClient(dedup: DedupRecord, sender: string, nowMs: number): boolean {
  const seen = (dedup.seen ??= {});
  if (seen[sender] === undefined) dedup.seenCount = (dedup.seenCount ?? 0) + 1;
  seen[sender] = nowMs;
  if ((dedup.seenCount ?? 0) <= MAX_CLIENT_SENDERS) return false;
  let forgot = false;
  for (const s of Object.keys(seen)) {
    if (nowMs - seen[s] < CLIENT_SENDER_TTL_MS || dedup.held[s]) continue;
    delete seen[s];
    delete dedup.last[s];
    dedup.seenCount!--;
    forgot = true;
  }
  return forgot;
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
