/**
 * JSON texts of commit records, checkpoint deltas and snapshots in which a
 * history step's value (a `hist:` key: runtime/partitions/state/history.ts)
 * is written as the JSON it is, not as a string holding it. A step's value
 * is the step's JSON text, made by JSON.stringify when the step was
 * recorded; copied in as it is, the text of a record or checkpoint is built
 * without escaping every quote of every step (most of what the history used
 * to cost the local store). Read back, such a value is the step as an object;
 * the history reader takes both.
 *
 * The history's updates are written after the others, in their order: a
 * record's other updates then become one native JSON.stringify, and only
 * the steps are joined in one by one (written item by item, every update
 * cost a call of its own). Updates of different keys commute, and every
 * update of a `hist:` key (a step, or its deletion by the cap) stays in the
 * history's group, so the record applies to the same state.
 *
 * Invariants: `JSON.parse` of a text made here equals the value given, with
 * the `hist:` updates (or entries) moved last, keeping their order, and step
 * values parsed; and, since a step's text is JSON.stringify output,
 * `JSON.stringify` of that parse gives the same text back (sealed-json.ts
 * checks a checkpoint's checksum that way).
 */
import type { Json, ObjectUpdate } from "../types.ts";

const HISTORY_PREFIX = "hist:";

/** Adds a history update's text to `parts`: a step's text as it is, anything else (a deletion) as JSON. */
function pushUpdate(parts: string[], u: ObjectUpdate): void {
  if (typeof u.value === "string") parts.push('{"key":', JSON.stringify(u.key), ',"value":', u.value, "}");
  else parts.push(JSON.stringify(u));
}

function pushEntry(parts: string[], [key, value]: [string, Json]): void {
  if (typeof value === "string") parts.push("[", JSON.stringify(key), ",", value, "]");
  else parts.push(JSON.stringify([key, value]));
}

/**
 * JSON text of `body` with its array field `field` last, holding `others` as
 * one stringify and then `history` item by item. The pieces are joined once
 * (one copy of every byte; nested template strings were flattened twice).
 */
function withHistoryLast<T>(body: Record<string, unknown>, field: string, others: readonly T[], history: readonly T[], push: (parts: string[], item: T) => void): string {
  const { [field]: _, ...rest } = body;
  const head = JSON.stringify({ ...rest, [field]: others });
  if (!head.endsWith("]}")) throw new Error(`step-json: ${field} did not come last`);
  const parts = [head.slice(0, -2)];
  for (let i = 0; i < history.length; i++) {
    if (i > 0 || others.length > 0) parts.push(",");
    push(parts, history[i]!);
  }
  parts.push("]}");
  return parts.join("");
}

/** A commit record or a checkpoint delta: `updates` holds ObjectUpdates. */
export function jsonWithUpdates(body: Record<string, unknown> & { updates: readonly ObjectUpdate[] }): string {
  const others: ObjectUpdate[] = [];
  const history: ObjectUpdate[] = [];
  for (const u of body.updates) (u.key.startsWith(HISTORY_PREFIX) ? history : others).push(u);
  if (history.length === 0) return JSON.stringify(body);
  return withHistoryLast(body, "updates", others, history, pushUpdate);
}

/** A snapshot: `objects` holds [key, value] entries. */
export function jsonWithObjects(body: Record<string, unknown> & { objects: readonly [string, Json][] }): string {
  const others: [string, Json][] = [];
  const history: [string, Json][] = [];
  for (const e of body.objects) (e[0].startsWith(HISTORY_PREFIX) ? history : others).push(e);
  if (history.length === 0) return JSON.stringify(body);
  return withHistoryLast(body, "objects", others, history, pushEntry);
}
