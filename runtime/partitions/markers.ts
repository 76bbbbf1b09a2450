/**
 * Pinned marker objects: an instance id under a prefix, value 1. They make a
 * condition of an instance durable and findable by prefix at recovery,
 * without loading instances (which are cached, not pinned).
 *
 * - `run:<id>`: the instance has wakes left for the next batch (one step per
 *   instance per batch); recovery queues a `runStep` for it.
 * - `susp:<id>`: the instance waits for a host that has its machine (Pending,
 *   or suspended for a missing version); start-up queues `resumeSuspended`.
 */
export const RUN_STEP_PREFIX = "run:";
export const runStepKey = (instanceId: string): string => RUN_STEP_PREFIX + instanceId;

export const SUSPENDED_PREFIX = "susp:";
export const suspendedKey = (instanceId: string): string => SUSPENDED_PREFIX + instanceId;
