/**
 * OutboxState: messages this partition sent and the receiver has not yet
 * confirmed. Per receiving partition, a small counter object
 * (`outbox:<to>`: next seq, highest acknowledged seq) and one object per
 * unconfirmed message (`out:<to>:<seq>`: body, commit position of the batch
 * that produced it). A commit therefore carries the messages its batch sent
 * or dropped and one counter per receiver, never the whole backlog: with
 * one object per receiver holding every unconfirmed message, each commit
 * rewrote that list, O(n^2) bytes while a receiver lags.
 *
 * Invariants: seqs per receiver are contiguous from 1; the unconfirmed
 * messages to `to` are exactly seqs acked+1 .. nextSeq-1, each present; a
 * message enters in the batch that produced it and is sent only after that
 * batch's commit (`logPosition` <= durable position); it leaves only when the
 * receiver acknowledges a seq >= its own. After recovery all are re-sent.
 */
import type { Json } from "../../backends/types.ts";

export const OUTBOX_PREFIX = "outbox:";
export const OUT_ENTRY_PREFIX = "out:";
export const outboxKey = (to: number): string => OUTBOX_PREFIX + to;
export const outEntryKey = (to: number, seq: number): string => `${OUT_ENTRY_PREFIX}${to}:${seq}`;

export interface OutboxRecord {
  to: number;
  nextSeq: number;
  /** Highest seq the receiver acknowledged (0: none). */
  acked: number;
}

export interface OutboxEntry {
  seq: number;
  body: Json;
  /** Commit position of the batch that produced the message. */
  logPosition: number;
}

/** What the outbox needs of the object table (pinned objects: all in memory). */
export interface OutboxObjects {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  touch(key: string): void;
  delete(key: string): void;
}

export function enqueue(objects: OutboxObjects, to: number, body: Json, logPosition: number): OutboxEntry {
  const key = outboxKey(to);
  let outbox = objects.get<OutboxRecord>(key);
  if (!outbox) objects.set(key, (outbox = { to, nextSeq: 1, acked: 0 }));
  else objects.touch(key);
  const entry: OutboxEntry = { seq: outbox.nextSeq++, body, logPosition };
  objects.set(outEntryKey(to, entry.seq), entry);
  return entry;
}

/** Drops the entries the receiver confirmed (seq <= upTo); returns how many. Acks are monotonic: an old one drops nothing. */
export function acknowledge(objects: OutboxObjects, to: number, upTo: number): number {
  const key = outboxKey(to);
  const outbox = objects.get<OutboxRecord>(key);
  if (!outbox) return 0;
  if (upTo >= outbox.nextSeq) throw new Error(`outbox to ${to}: ack for seq ${upTo} but only ${outbox.nextSeq - 1} were sent`);
  if (upTo <= outbox.acked) return 0;
  for (let seq = outbox.acked + 1; seq <= upTo; seq++) objects.delete(outEntryKey(to, seq));
  const n = upTo - outbox.acked;
  outbox.acked = upTo;
  objects.touch(key);
  return n;
}

/** The unconfirmed entries to `to`, oldest first. */
export function* unconfirmed(objects: OutboxObjects, to: number): Generator<OutboxEntry> {
  const outbox = objects.get<OutboxRecord>(outboxKey(to));
  if (!outbox) return;
  for (let seq = outbox.acked + 1; seq < outbox.nextSeq; seq++) {
    const entry = objects.get<OutboxEntry>(outEntryKey(to, seq));
    if (!entry) throw new Error(`outbox to ${to}: unconfirmed seq ${seq} is missing (acked ${outbox.acked}, next ${outbox.nextSeq})`);
    yield entry;
  }
}

/**
 * The entries to `to` produced by the commit at `logPosition`. Seqs follow
 * commit order, so they are found from the newest back: past the entries of
 * later commits (already produced while this one waited for its append),
 * then this commit's, up to the first of an earlier one.
 */
export function entriesOfBatch(objects: OutboxObjects, to: number, logPosition: number): OutboxEntry[] {
  const outbox = objects.get<OutboxRecord>(outboxKey(to));
  const out: OutboxEntry[] = [];
  if (!outbox) return out;
  for (let seq = outbox.nextSeq - 1; seq > outbox.acked; seq--) {
    const entry = objects.get<OutboxEntry>(outEntryKey(to, seq));
    if (!entry) throw new Error(`outbox to ${to}: unconfirmed seq ${seq} is missing (acked ${outbox.acked}, next ${outbox.nextSeq})`);
    if (entry.logPosition > logPosition) continue;
    if (entry.logPosition < logPosition) break;
    out.push(entry);
  }
  return out.reverse();
}

/**
 * Upgrades an outbox written by an earlier version (one object per receiver
 * with a `pending` list) to counter + entries, in memory; the objects are
 * marked changed, so the next commit persists the new layout.
 */
export function upgradeLegacyOutbox(objects: OutboxObjects, key: string): void {
  const legacy = objects.get<{ to: number; nextSeq: number; pending?: OutboxEntry[]; acked?: number }>(key);
  if (!legacy || legacy.pending === undefined) return;
  const pending = legacy.pending;
  const acked = pending.length > 0 ? pending[0]!.seq - 1 : legacy.nextSeq - 1;
  for (const e of pending) objects.set(outEntryKey(legacy.to, e.seq), { seq: e.seq, body: e.body, logPosition: e.logPosition });
  objects.set(key, { to: legacy.to, nextSeq: legacy.nextSeq, acked } satisfies OutboxRecord);
}
