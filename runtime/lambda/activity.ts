/**
 * The activity-execution path. By default the partition processor runs
 * activities in its own invocation (the core's ActivityWorkers). With
 * NWC_ACTIVITY_FUNCTION set (the deploy template sets it), it dispatches each
 * attempt to the `handlers.activity` function instead (a synchronous Lambda
 * Invoke), so activity CPU and I/O run in parallel containers, not in the one
 * invocation a shard allows at a time.
 *
 * Invariant: dispatch never loses an attempt. Throttled invokes are retried
 * with jittered backoff (bounded); if the worker function cannot be reached at
 * all, the attempt runs here instead. Activities are at-least-once either way.
 */
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { ActivityWorkers } from "../workers.ts";
import type { ActivityExecutor, ActivityTask } from "../partitions/executor.ts";
import type { JsonTaskResult } from "../partitions/messages.ts";
import { backoffDelayMs, DEFAULT_RETRY, isRetryable, sleep } from "../backends/aws/retry.ts";

/** The worker side: runs one attempt and answers its result as JSON. */
export async function runActivityTask(workers: ActivityWorkers, task: ActivityTask): Promise<JsonTaskResult> {
  if (typeof task !== "object" || task === null || typeof task.name !== "string" || typeof task.instanceId !== "string") {
    throw new TypeError("nwc activity worker: expected an activity task { partition, instanceId, taskId, name, input, attempt }");
  }
  return workers.run(task);
}

export type Invoke = (task: ActivityTask) => Promise<JsonTaskResult>;

/** Invokes the worker function through the Lambda API. */
export function lambdaInvoke(functionName: string, region: string): Invoke {
  const lambda = new LambdaClient({ region, maxAttempts: 1 });
  return async (task) => {
    const out = await lambda.send(new InvokeCommand({
      FunctionName: functionName,
      InvocationType: "RequestResponse",
      Payload: new TextEncoder().encode(JSON.stringify(task)),
    }));
    const text = new TextDecoder().decode(out.Payload ?? new Uint8Array());
    if (out.FunctionError) {
      // The worker itself failed (out of memory, timeout, a bug outside the activity): retry like a crash.
      throw Object.assign(new Error(`activity worker ${functionName} failed (${out.FunctionError}): ${text.slice(0, 500)}`), { $retryable: {} });
    }
    return JSON.parse(text) as JsonTaskResult;
  };
}

export class DispatchingExecutor implements ActivityExecutor {
  readonly stats = { dispatched: 0, retried: 0, ranLocally: 0 };

  constructor(private readonly invoke: Invoke, private readonly local: ActivityExecutor, private readonly log: (message: string) => void = console.warn) {}

  async run(task: ActivityTask): Promise<JsonTaskResult> {
    for (let attempt = 0; attempt < DEFAULT_RETRY.maxAttempts; attempt++) {
      try {
        this.stats.dispatched++;
        return await this.invoke(task);
      } catch (error) {
        if (!isRetryable(error)) break;
        this.stats.retried++;
        await sleep(backoffDelayMs(DEFAULT_RETRY, attempt));
      }
    }
    this.stats.ranLocally++;
    this.log(`activity ${task.name} of ${task.instanceId}: the worker function is unreachable; running the attempt here`);
    return this.local.run(task);
  }
}
