/**
 * What the partition needs from the workers that run activities: run one
 * attempt and report its result (never reject). The host implements it with
 * a bounded pool (runtime/workers.ts); tests may inject faults.
 */
import type { JsonTaskResult } from "./messages.ts";

export interface ActivityTask {
  partition: number;
  instanceId: string;
  taskId: number;
  name: string;
  /** Codec-encoded input. */
  input: unknown;
  attempt: number;
}

export interface ActivityExecutor {
  run(task: ActivityTask): Promise<JsonTaskResult>;
}
