/**
 * Reading a partition object as committed: the checkpointed value overlaid
 * with the redo records of the commits after the checkpoint. Used by the
 * client's readEntity, the dev server's instance positions and the waits of
 * an instance (runtime/instance-waits.ts).
 *
 * Invariant: the value returned is the one after some appended commit; a
 * checkpoint moving during the read (its trim could hide commits) is detected
 * and the read retried, at most MAX_READ_ATTEMPTS times.
 */
import type { Json, PartitionStore } from "./backends/types.ts";

/** A partition that checkpoints faster than a read completes, five times in a row, is misconfigured: give up and say so. */
const MAX_READ_ATTEMPTS = 5;

export async function readCommittedObject(store: PartitionStore, partition: number, key: string): Promise<Json | undefined> {
  return atOneCheckpoint(store, partition, key, async (logPosition) => {
    let value: Json | null | undefined = await store.readObject(partition, key);
    for (const c of await store.readCommits(partition, logPosition)) for (const u of c.updates) if (u.key === key) value = u.value;
    return value ?? undefined;
  });
}

/** Every committed object whose key has `prefix` and passes `accept`, read as `readCommittedObject` reads one. */
export async function readCommittedObjects(store: PartitionStore, partition: number, prefix: string, accept: (key: string) => boolean): Promise<Json[]> {
  return atOneCheckpoint(store, partition, `${prefix}*`, async (logPosition) => {
    const values = new Map<string, Json | null>();
    for (const key of await store.listObjectKeys(partition, prefix)) {
      if (!accept(key)) continue;
      const v = await store.readObject(partition, key);
      if (v !== undefined) values.set(key, v);
    }
    for (const c of await store.readCommits(partition, logPosition)) for (const u of c.updates) if (u.key.startsWith(prefix) && accept(u.key)) values.set(u.key, u.value);
    return [...values.values()].filter((v): v is Json => v !== null);
  });
}

/** Runs `read` (checkpointed objects, then the commits after `logPosition`) until no checkpoint moved during it. */
async function atOneCheckpoint<T>(store: PartitionStore, partition: number, what: string, read: (logPosition: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; attempt < MAX_READ_ATTEMPTS; attempt++) {
    const before = await store.readCheckpointState(partition);
    const value = await read(before.logPosition);
    const after = await store.readCheckpointState(partition);
    if (after.logPosition === before.logPosition) return value;
  }
  throw new Error(`partition ${partition}: checkpointed during each of ${MAX_READ_ATTEMPTS} reads of ${what}; try again`);
}
