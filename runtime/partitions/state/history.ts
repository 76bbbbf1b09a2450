/**
 * HistoryState: one write-only object per recorded step of an instance, key
 * `hist:<instanceId>:<seq>` (runtime/history.ts says what a step holds). The
 * instance record keeps the range of seqs it has (`historyFirst`,
 * `historyLast`), so the cap and a purge delete exactly the keys that exist,
 * without listing anything.
 *
 * Why one object per step rather than one journal object per instance: a
 * commit record carries the new value of every object it changed, so a
 * journal object would be copied whole into every commit (O(cap) per step);
 * a step object costs its own tens of bytes, once. On aws that also
 * keeps each step its own small DynamoDB item, far below the 400 KB limit.
 *
 * A step object's value is the JSON text of the step's compact row
 * (history-row.ts), a string: written once when the step is recorded, where
 * commits and checkpoints would otherwise each walk a row again (measured:
 * docs/runtime.md).
 *
 * Invariants: step objects are never read by the partition (ObjectTable
 * keeps them only until the commit and the checkpoint have them); an instance has steps
 * exactly for seqs historyFirst..historyLast, at most `limit` of them.
 */
import { stepText } from "./history-row.ts";
import type { ObjectTable } from "../objects.ts";
import type { InstanceRecord } from "./instance.ts";

export const HISTORY_PREFIX = "hist:";

/**
 * The instance id comes first so that one instance's steps share a prefix (readers list them by it).
 * Joined, not concatenated: `+` and template literals build a tree of pieces (V8's cons strings), which
 * the collector copies piece by piece while the step waits for the checkpoint; join makes one flat string.
 */
export const historyKey = (instanceId: string, seq: number): string => [HISTORY_PREFIX, instanceId, ":", seq].join("");
export const historyPrefixOf = (instanceId: string): string => `${HISTORY_PREFIX}${instanceId}:`;
export const isHistoryKey = (key: string): boolean => key.startsWith(HISTORY_PREFIX);

/** The seq of a key under historyPrefixOf(instanceId), or undefined for a longer id's key ("a:1:5" under "a:"). */
export function seqOfHistoryKey(prefix: string, key: string): number | undefined {
  const rest = key.slice(prefix.length);
  return /^[1-9]\d*$/.test(rest) ? Number(rest) : undefined;
}

/** Records the step whose row is `tail` (history-row.ts `stepRowTail`) as the instance's next, with its seq, and deletes the oldest beyond `limit` (a smaller limit than before trims several). */
export function appendStep(objects: ObjectTable, rec: InstanceRecord, tail: string, limit: number): void {
  if (!(limit >= 1)) throw new Error(`appendStep with history limit ${limit}: a switched-off journal records nothing`);
  const seq = (rec.historyLast ?? 0) + 1;
  // Stored as its JSON text: commit records and checkpoints then copy one string instead of walking a row each time.
  objects.writeHistory(historyKey(rec.instanceId, seq), stepText(seq, tail));
  let first = rec.historyFirst ?? seq;
  for (; first <= seq - limit; first++) objects.writeHistory(historyKey(rec.instanceId, first), null);
  rec.historyFirst = first;
  rec.historyLast = seq;
}

/** Deletes every step of the instance (purge). */
export function deleteSteps(objects: ObjectTable, rec: InstanceRecord): void {
  if (rec.historyLast === undefined) return;
  for (let seq = rec.historyFirst ?? 1; seq <= rec.historyLast; seq++) objects.writeHistory(historyKey(rec.instanceId, seq), null);
  // Set to undefined rather than deleted: a deleted property turns the record into a slow dictionary object.
  rec.historyFirst = undefined;
  rec.historyLast = undefined;
}
