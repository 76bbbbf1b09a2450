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
  for (let attempt = 0; attempt < MAX_READ_ATTEMPTS; attempt++) {
    const before = await store.readCheckpointState(partition);
    let value: Json | null | undefined = await store.readObject(partition, key);
    const commits = await store.readCommits(partition, before.logPosition);
    const after = await store.readCheckpointState(partition);
    if (after.logPosition !== before.logPosition) continue;
    for (const c of commits) for (const u of c.updates) if (u.key === key) value = u.value;
    return value ?? undefined;
  }
  throw new Error(`partition ${partition}: checkpointed during each of ${MAX_READ_ATTEMPTS} reads of ${key}; try again`);
}

/** Every committed object whose key has `prefix` and passes `accept`, read as `readCommittedObject` reads one. */
export async function readCommittedObjects(store: PartitionStore, partition: number, prefix: string, accept: (key: string) => boolean): Promise<Json[]> {
  for (let attempt = 0; attempt < MAX_READ_ATTEMPTS; attempt++) {
    const before = await store.readCheckpointState(partition);
    const values = new Map<string, Json | null>();
    for (const key of await store.listObjectKeys(partition, prefix)) {
      if (!accept(key)) continue;
      const v = await store.readObject(partition, key);
      if (v !== undefined) values.set(key, v);
    }
    const commits = await store.readCommits(partition, before.logPosition);
    const after = await store.readCheckpointState(partition);
    if (after.logPosition !== before.logPosition) continue;
    for (const c of commits) for (const u of c.updates) if (u.key.startsWith(prefix) && accept(u.key)) values.set(u.key, u.value);
    return [...values.values()].filter((v): v is Json => v !== null);
  }
  throw new Error(`partition ${partition}: checkpointed during each of ${MAX_READ_ATTEMPTS} reads of ${prefix}*; try again`);
}
