/**
 * Recovery: rebuild a partition's memory from its store. Load the checkpoint
 * position, the pinned objects (dedup, outboxes, timers, activities), then
 * apply every commit record after the checkpoint in order. Instances and
 * entities are not loaded: they come on demand (the cache).
 *
 * Invariant: after recovery the object table equals the state after the last
 * appended commit, and the commit positions replayed are contiguous.
 */
import type { ChannelPosition, PartitionStore } from "../backends/types.ts";
import { RUN_STEP_PREFIX, SUSPENDED_PREFIX } from "./markers.ts";
import { ObjectTable } from "./objects.ts";
import { ACTIVITY_PREFIX } from "./state/activities.ts";
import { DEDUP_KEY } from "./state/dedup.ts";
import { OUT_ENTRY_PREFIX, OUTBOX_PREFIX, upgradeLegacyOutbox } from "./state/outbox.ts";
import { TIMER_PREFIX } from "./state/timers.ts";

export interface Recovered {
  objects: ObjectTable;
  logPosition: number;
  checkpointPosition: number;
  inputPosition: ChannelPosition | undefined;
  commitsReplayed: number;
}

export const PINNED_PREFIXES = [DEDUP_KEY, OUTBOX_PREFIX, OUT_ENTRY_PREFIX, TIMER_PREFIX, ACTIVITY_PREFIX, RUN_STEP_PREFIX, SUSPENDED_PREFIX];

export async function recover(store: PartitionStore, partition: number, cacheSize: number): Promise<Recovered> {
  const checkpoint = await store.readCheckpointState(partition);
  const objects = new ObjectTable(store, partition, cacheSize);
  for (const prefix of PINNED_PREFIXES) {
    const keys = await store.listObjectKeys(partition, prefix);
    await objects.load(keys);
  }
  const commits = await store.readCommits(partition, checkpoint.logPosition);
  let logPosition = checkpoint.logPosition;
  let inputPosition = checkpoint.inputPosition;
  for (const commit of commits) {
    if (commit.position !== logPosition + 1) {
      throw new Error(`partition ${partition}: commit log has a gap: expected position ${logPosition + 1}, found ${commit.position}`);
    }
    for (const update of commit.updates) objects.applyUpdate(update);
    if (commit.inputPosition !== undefined) inputPosition = commit.inputPosition;
    logPosition = commit.position;
  }
  for (const key of objects.keysWithPrefix(OUTBOX_PREFIX)) upgradeLegacyOutbox(objects, key);
  return { objects, logPosition, checkpointPosition: checkpoint.logPosition, inputPosition, commitsReplayed: commits.length };
}
