/**
 * Reads the durable state of every partition from a store (checkpointed
 * objects plus the commit records after the checkpoint), the way recovery
 * would see it: to check that no entity or instance keeps lock state.
 */
import type { Json, PartitionStore } from "../../runtime/backends/types.ts";

export async function durableObjects(store: PartitionStore, prefix: string): Promise<Map<string, Json>> {
  const out = new Map<string, Json>();
  for (let p = 0; p < store.partitionCount; p++) {
    const cp = await store.readCheckpointState(p);
    for (const key of await store.listObjectKeys(p, prefix)) {
      const v = await store.readObject(p, key);
      if (v !== undefined) out.set(key, v);
    }
    for (const c of await store.readCommits(p, cp.logPosition)) {
      for (const u of c.updates) {
        if (!u.key.startsWith(prefix)) continue;
        if (u.value === null) out.delete(u.key);
        else out.set(u.key, u.value);
      }
    }
  }
  return out;
}

/** Entities with a lock record (held, queued or staged) and instances with a lock record. */
export async function lockLeftovers(store: PartitionStore): Promise<string[]> {
  const left: string[] = [];
  for (const [key, rec] of await durableObjects(store, "ent:")) {
    const lock = (rec as any).ext?.lock;
    if (lock) left.push(`${key} ${JSON.stringify(lock)}`);
  }
  for (const [key, rec] of await durableObjects(store, "inst:")) {
    const locks = (rec as any).ext?.locks;
    if (locks) left.push(`${key} ${JSON.stringify(locks)}`);
  }
  return left;
}
