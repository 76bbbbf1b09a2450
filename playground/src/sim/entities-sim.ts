/**
 * The entities of a playground run: their states (plain data), operations
 * applied one at a time, and transactions staged per lock until the machine
 * commits or aborts them. Locks are granted at once: one instance runs, so
 * nothing contends; the grant carries the lock set in the global order
 * (sorted by name, then key), as the partition core's grant does.
 *
 * Invariant: `states` and `staged` are plain data that round-trip through the
 * codec, so a crash snapshot carries them.
 */
import type { EntityId } from "../../../runtime/machine.ts";

export interface EntityDef {
  init: () => unknown;
  ops: Record<string, (state: any, input: any, ectx: any) => unknown>;
}

export interface EntityTables {
  /** "name/key" -> state. */
  states: Record<string, unknown>;
  /** lockTaskId -> "name/key" -> staged state. */
  staged: Record<string, Record<string, unknown>>;
}

export function entityKey(id: EntityId): string {
  return `${id.name}/${id.key}`;
}

export function sortLockSet(entities: readonly EntityId[]): EntityId[] {
  return [...entities].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/**
 * Runs `op` on the entity; inside a transaction on its staged copy. Signals it
 * sends are returned, to be applied after it (one operation at a time).
 */
export function applyOperation(
  tables: EntityTables,
  defs: ReadonlyMap<string, EntityDef>,
  id: EntityId,
  op: string,
  input: unknown,
  transactionId?: number,
): { result: unknown; signals: { entity: EntityId; op: string; input: unknown }[] } {
  const def = defs.get(id.name);
  if (!def) throw new Error(`entity "${id.name}" is not defined in this program`);
  const fn = def.ops[op];
  if (typeof fn !== "function") throw new Error(`entity "${id.name}" has no operation "${op}"`);
  const key = entityKey(id);
  const stage = transactionId === undefined ? undefined : (tables.staged[transactionId] ??= {});
  const current = stage && key in stage ? stage[key] : key in tables.states ? tables.states[key] : def.init();
  const state = clone(current);
  const signals: { entity: EntityId; op: string; input: unknown }[] = [];
  let deleted = false;
  const ectx = {
    id,
    signal: (entity: { name: string }, k: string) =>
      new Proxy({}, { get: (_t, name) => (arg: unknown) => void signals.push({ entity: { name: entity.name, key: k }, op: String(name), input: arg }) }),
    start: () => {
      throw new Error("ectx.start is not simulated in the playground; start orchestrations from a client with nwc dev");
    },
    deleteState: () => void (deleted = true),
  };
  const result = fn(state, input, ectx);
  if (result && typeof (result as any).then === "function") throw new Error(`entity operation ${id.name}.${op} returned a promise; entity operations are synchronous`);
  if (stage) stage[key] = deleted ? undefined : state;
  else if (deleted) delete tables.states[key];
  else tables.states[key] = state;
  return { result: clone(result), signals };
}

/** Applies (commit) or discards the staged writes of the transaction under `lockTaskId`. */
export function endTransaction(tables: EntityTables, lockTaskId: number, commit: boolean): void {
  const stage = tables.staged[lockTaskId];
  delete tables.staged[lockTaskId];
  if (!commit || !stage) return;
  for (const [key, state] of Object.entries(stage)) {
    if (state === undefined) delete tables.states[key];
    else tables.states[key] = state;
  }
}
