/**
 * ActivitiesState: one object per activity task not yet completed, key
 * `act:<execution>:<taskId>:<instanceId>`. It is the durable to-do list of
 * the workers: recovery re-runs every activity found here (at-least-once),
 * and a result is applied only while its object exists with the same attempt
 * (so a duplicate or stale result is dropped: results are de-duplicated by
 * (instance, execution, taskId)).
 */
import type { Json } from "../../backends/types.ts";
import type { ErrorInfo, RetryPolicy, TaskId } from "../../machine.ts";

export const ACTIVITY_PREFIX = "act:";
export const activityKey = (instanceId: string, execution: number, taskId: TaskId): string =>
  `${ACTIVITY_PREFIX}${execution}:${taskId}:${instanceId}`;

export interface ActivityRecord {
  instanceId: string;
  execution: number;
  taskId: TaskId;
  name: string;
  input: Json;
  retry?: RetryPolicy;
  /** 1 for the first attempt. */
  attempt: number;
  /** Earliest start of this attempt (retry backoff). */
  notBeforeMs: number;
  /** The error of the previous attempt (set on a retry while the history is on). */
  lastError?: ErrorInfo;
}

/** Delay before attempt `attempt + 1` after attempt `attempt` failed. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const coefficient = policy.backoffCoefficient ?? 2;
  const delay = policy.backoffMs * Math.pow(coefficient, attempt - 1);
  return Math.min(delay, policy.maxBackoffMs ?? Number.POSITIVE_INFINITY);
}
