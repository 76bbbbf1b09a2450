/**
 * An instance's parent and children (sub-orchestrations), read from committed
 * instance records: a child's record names its parent task. Used by the dev
 * API's instance route, so the dashboard can link parents and children.
 *
 * Finding children reads every instance record of every partition: fine for
 * `nwc dev` (one developer's instances), not meant for a production store.
 * Invariant: read-only.
 */
import type { PartitionStore } from "./backends/types.ts";
import { readCommittedObjects } from "./inspect.ts";
import { INSTANCE_PREFIX, type InstanceRecord } from "./partitions/state/instance.ts";

export async function readChildInstanceIds(store: PartitionStore, partitionCount: number, parentInstanceId: string): Promise<string[]> {
  const children: string[] = [];
  for (let p = 0; p < partitionCount; p++) {
    const records = (await readCommittedObjects(store, p, INSTANCE_PREFIX, () => true)) as unknown as InstanceRecord[];
    for (const rec of records) if (rec.parent?.instanceId === parentInstanceId) children.push(rec.instanceId);
  }
  return children.sort();
}
