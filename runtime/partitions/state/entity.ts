/**
 * EntityState: one object per entity that has state, key `ent:<name>@<key>`.
 * The user state is codec-encoded; `ext` holds extension state (the lock
 * scheduler of runtime/partitions/entities/scheduler.ts).
 *
 * Invariant: a record with `exists: false` and empty `ext` is deleted rather
 * than stored, so `readEntity` of a deleted entity gives `undefined`.
 */
import type { Json } from "../../backends/types.ts";
import type { EntityId } from "../../machine.ts";
import { entityKeyOf } from "../hash.ts";

export interface EntityRecord {
  entity: EntityId;
  exists: boolean;
  state: Json;
  ext: Record<string, Json>;
}

export const ENTITY_PREFIX = "ent:";
export const entityObjectKey = (entity: EntityId): string => ENTITY_PREFIX + entityKeyOf(entity);

export function isEmptyEntity(rec: EntityRecord): boolean {
  return !rec.exists && Object.keys(rec.ext).length === 0;
}
