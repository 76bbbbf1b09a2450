/**
 * Reading an instance's history (runtime/history.ts) as committed: its step
 * objects, checkpointed or in the commits after the checkpoint
 * (runtime/inspect.ts), oldest first. Used by `client.history`, the dev API
 * and `nwc show`.
 *
 * Invariant: read-only; a step belongs to the instance only if its key is
 * the instance's prefix followed by a seq (a longer id sharing the prefix,
 * `a:1` under `a`, is not mixed in).
 */
import type { PartitionStore } from "./backends/types.ts";
import type { InstanceHistory } from "./history.ts";
import { readCommittedObjects } from "./inspect.ts";
import { partitionOfInstance } from "./partitions/hash.ts";
import { historyPrefixOf, seqOfHistoryKey } from "./partitions/state/history.ts";
import { readStoredStep } from "./partitions/state/history-row.ts";

/**
 * The instance's committed steps, oldest first; with `limit`, only the last
 * `limit` of them (0: none). The partition trims what is stored to its limit
 * at an instance's next step, so after the limit was lowered more may be
 * stored than the limit allows until then: the read holds the limit itself.
 */
export async function readHistory(store: PartitionStore, partitionCount: number, instanceId: string, limit?: number): Promise<InstanceHistory> {
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) throw new RangeError(`history limit must be an integer >= 0, got ${limit}`);
  const prefix = historyPrefixOf(instanceId);
  const partition = partitionOfInstance(instanceId, partitionCount);
  const values = await readCommittedObjects(store, partition, prefix, (key) => seqOfHistoryKey(prefix, key) !== undefined);
  const steps = values.map(readStoredStep).sort((a, b) => a.seq - b.seq);
  return { instanceId, steps: limit !== undefined && steps.length > limit ? steps.slice(steps.length - limit) : steps };
}

/** The children an instance started, from the sub-orchestration commands of its history (first start first, each once). */
export function childrenOf(history: InstanceHistory): { instanceId: string; name: string }[] {
  const seen = new Map<string, { instanceId: string; name: string }>();
  for (const step of history.steps) {
    for (const c of step.commands) {
      if (c.kind === "subOrchestration" && c.instanceId !== undefined && !seen.has(c.instanceId)) seen.set(c.instanceId, { instanceId: c.instanceId, name: c.name ?? "" });
    }
  }
  return [...seen.values()];
}
