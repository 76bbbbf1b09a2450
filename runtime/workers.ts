/**
 * Activity workers of a host: run activity attempts for the partitions with
 * at most MAX_CONCURRENT_ACTIVITIES at a time, each result codec-encoded and
 * size-checked. Never rejects: every failure becomes an error result with the
 * original name, message and stack.
 */
import type { Activity } from "./api.ts";
import { decode, errorInfo } from "./codec.ts";
import type { ActivityExecutor, ActivityTask } from "./partitions/executor.ts";
import type { JsonTaskResult } from "./partitions/messages.ts";
import { checkPayload } from "./partitions/limits.ts";

/** Attempts running at once per host: bounds memory and open I/O of user activities; the rest wait in FIFO order. */
export const MAX_CONCURRENT_ACTIVITIES = 64;

export class ActivityWorkers implements ActivityExecutor {
  private running = 0;
  /** Attempts waiting for a slot, FIFO from `head` (an index, not shift(): the queue can hold thousands). */
  private waiting: { task: ActivityTask; resolve: (result: Promise<JsonTaskResult>) => void }[] = [];
  private head = 0;
  executed = 0;
  /** Test hook: may throw to simulate a worker that died mid-attempt. */
  beforeRun?: (task: ActivityTask) => void;

  constructor(private readonly activities: Map<string, Activity>, private readonly maxConcurrent = MAX_CONCURRENT_ACTIVITIES) {}

  run(task: ActivityTask): Promise<JsonTaskResult> {
    if (this.running < this.maxConcurrent) return this.start(task);
    // A queued attempt is a task and a resolver, not a suspended async call.
    return new Promise((resolve) => this.waiting.push({ task, resolve }));
  }

  private async start(task: ActivityTask): Promise<JsonTaskResult> {
    this.running++;
    try {
      return await this.execute(task);
    } finally {
      this.running--;
      this.startNext();
    }
  }

  private startNext(): void {
    if (this.head >= this.waiting.length || this.running >= this.maxConcurrent) return;
    const next = this.waiting[this.head++]!;
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    next.resolve(this.start(next.task));
  }

  private async execute(task: ActivityTask): Promise<JsonTaskResult> {
    const activity = this.activities.get(task.name);
    if (!activity) {
      return { ok: false, error: { name: "UnknownActivity", message: `no activity named "${task.name}" is registered on this host; add it to the host's app` } };
    }
    this.executed++;
    try {
      this.beforeRun?.(task);
      const value = await activity.fn(decode(task.input as any), { instanceId: task.instanceId, attempt: task.attempt });
      const out = checkPayload(value, `the result of activity "${task.name}"`);
      return out.ok ? { ok: true, value: out.json } : { ok: false, error: out.error };
    } catch (error) {
      return { ok: false, error: errorInfo(error) };
    }
  }
}
