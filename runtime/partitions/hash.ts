/**
 * Placement: which partition owns an instance or an entity. FNV-1a over the
 * UTF-16 code units of the id, modulo the partition count.
 *
 * Invariant: the placement depends only on the id and the partition count, so
 * every host and every client agrees on it without coordination.
 */
import type { EntityId } from "../machine.ts";

export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function partitionOfInstance(instanceId: string, partitionCount: number): number {
  if (!(Number.isInteger(partitionCount) && partitionCount >= 1)) throw new Error(`partition count must be an integer >= 1, got ${partitionCount}`);
  return hashString(instanceId) % partitionCount;
}

/** The object key part of an entity; '@' cannot occur in an entity name, so the split is unambiguous. */
export function entityKeyOf(entity: EntityId): string {
  return `${entity.name}@${entity.key}`;
}

export function partitionOfEntity(entity: EntityId, partitionCount: number): number {
  return partitionOfInstance(`@${entityKeyOf(entity)}`, partitionCount);
}
