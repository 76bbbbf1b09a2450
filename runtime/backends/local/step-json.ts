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
 * Invariants: `JSON.parse` of a text made here equals the value given,
 * except that those step values come back parsed; and, since a step's text
 * is JSON.stringify output, `JSON.stringify` of that parse gives the same
 * text back (sealed-json.ts checks a checkpoint's checksum that way).
 */
import type { Json, ObjectUpdate } from "../types.ts";

const HISTORY_PREFIX = "hist:";

function isStepText(key: string, value: unknown): value is string {
  return typeof value === "string" && key.startsWith(HISTORY_PREFIX);
}

const updateText = (u: ObjectUpdate): string => (isStepText(u.key, u.value) ? `{"key":${JSON.stringify(u.key)},"value":${u.value}}` : JSON.stringify(u));

const entryText = ([key, value]: [string, Json]): string => (isStepText(key, value) ? `[${JSON.stringify(key)},${value}]` : JSON.stringify([key, value]));

/** JSON text of `body`, with its array field `field` moved last and written item by item. */
function withArrayLast<T>(body: Record<string, unknown>, field: string, items: readonly T[], itemText: (item: T) => string): string {
  const { [field]: _, ...rest } = body;
  const head = JSON.stringify({ ...rest, [field]: 0 });
  if (!head.endsWith(":0}")) throw new Error(`step-json: ${field} did not come last`);
  return `${head.slice(0, -2)}[${items.map(itemText).join(",")}]}`;
}

/** A commit record or a checkpoint delta: `updates` holds ObjectUpdates. */
export function jsonWithUpdates(body: Record<string, unknown> & { updates: readonly ObjectUpdate[] }): string {
  if (!body.updates.some((u) => isStepText(u.key, u.value))) return JSON.stringify(body);
  return withArrayLast(body, "updates", body.updates, updateText);
}

/** A snapshot: `objects` holds [key, value] entries. */
export function jsonWithObjects(body: Record<string, unknown> & { objects: readonly [string, Json][] }): string {
  return withArrayLast(body, "objects", body.objects, entryText);
}
