/**
 * The global order of entities for locking: by name, then key, comparing
 * UTF-16 code units. Every lock set is sorted into this order and
 * de-duplicated before its request leaves the holder (docs/entities.md 2.1).
 *
 * Invariant: the order is total and the same on every machine (no locale,
 * no Intl): two hosts never disagree on it, which is what rules out deadlock.
 */
import type { EntityId } from "../../machine.ts";

export function compareEntityIds(a: EntityId, b: EntityId): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return 0;
}

export function sameEntity(a: EntityId, b: EntityId): boolean {
  return a.name === b.name && a.key === b.key;
}

/** One string per entity, for maps and logs; the separator cannot occur in an entity name. */
export function entityKey(id: EntityId): string {
  return `${id.name}@${id.key}`;
}

/** A sorted copy without duplicates. */
export function sortLockSet(entities: readonly EntityId[]): EntityId[] {
  const sorted = entities.map((e) => ({ name: e.name, key: e.key })).sort(compareEntityIds);
  const out: EntityId[] = [];
  for (const e of sorted) {
    if (out.length === 0 || !sameEntity(out[out.length - 1], e)) out.push(e);
  }
  for (let i = 1; i < out.length; i++) {
    if (compareEntityIds(out[i - 1], out[i]) >= 0) throw new Error("sortLockSet: result is not strictly increasing");
  }
  return out;
}

export function lockSetHas(lockSet: readonly EntityId[], entity: EntityId): boolean {
  return lockSet.some((e) => sameEntity(e, entity));
}
