/**
 * Local `activityResult`: an attempt ended. Success or a final failure wakes
 * the instance and deletes the activity object; a failure with attempts left
 * schedules the next attempt after its backoff (durably: the object records
 * the attempt and its earliest start).
 * The wake carries the attempts made and the last failed attempt's error
 * for the history (retries are otherwise invisible: they take no step).
 * Invariant: applied only if the object exists with the same attempt, so
 * results are de-duplicated by (instance, execution, taskId, attempt).
 */
import type { ActivityResultEvent } from "../messages.ts";
import { deliverWake } from "../lifecycle.ts";
import type { MessageHandler } from "../registry.ts";
import type { WakeSource } from "../messages.ts";
import { backoffMs, type ActivityRecord } from "../state/activities.ts";
import { instanceKey } from "../state/instance.ts";
import { instanceOfTaskKey } from "../state/task-key.ts";

export const activityResult: MessageHandler<ActivityResultEvent> = {
  keys: (m) => [instanceKey(instanceOfTaskKey(m.key))],
  apply(m, batch) {
    const record = batch.objects.get<ActivityRecord>(m.key);
    if (!record || record.attempt !== m.attempt) return;
    const maxAttempts = record.retry?.maxAttempts ?? 1;
    if (!m.result.ok && record.attempt < maxAttempts) {
      const next: ActivityRecord = { ...record, attempt: record.attempt + 1, notBeforeMs: batch.nowMs + backoffMs(record.retry!, record.attempt) };
      // Kept for the history: a retry that then succeeds still shows what went wrong before.
      if (batch.env.historyLimit > 0) next.lastError = m.result.error;
      batch.startActivity(m.key, next);
      return;
    }
    batch.objects.delete(m.key);
    deliverWake(batch, batch.instance(record.instanceId), record.execution, record.taskId, m.result, activitySource(record));
  },
};

function activitySource(record: ActivityRecord): WakeSource {
  const source: WakeSource = { kind: "activity", name: record.name, attempts: record.attempt };
  if (record.lastError) source.lastError = record.lastError;
  return source;
}
