/**
 * Command `activity`: record the task in ActivitiesState (the workers' durable
 * to-do list) and start it at once, before the commit (at-least-once anyway).
 * Invariant: one record per (instance, execution, taskId); asking again for an
 * existing task does nothing.
 */
import type { Command } from "../../machine.ts";
import type { Batch } from "../batch.ts";
import type { InstanceRecord } from "../state/instance.ts";
import { activityKey, type ActivityRecord } from "../state/activities.ts";
import { checkPayload, PayloadError } from "../limits.ts";

export function onActivity(command: Extract<Command, { kind: "activity" }>, rec: InstanceRecord, batch: Batch): void {
  const key = activityKey(rec.instanceId, rec.execution, command.taskId);
  if (batch.objects.get(key)) return;
  const activity = batch.app.activities.get(command.name);
  const input = checkPayload(command.input, `the input of activity "${command.name}"`);
  if (!input.ok) throw new PayloadError(input.error.message, input.error.name);
  const retry = command.retry ?? activity?.options.retry;
  // Built whole, not with a `delete` afterwards: deleting a property turns the object into a slow dictionary.
  const record: ActivityRecord =
    retry === undefined
      ? { instanceId: rec.instanceId, execution: rec.execution, taskId: command.taskId, name: command.name, input: input.json, attempt: 1, notBeforeMs: batch.nowMs }
      : { instanceId: rec.instanceId, execution: rec.execution, taskId: command.taskId, name: command.name, input: input.json, retry, attempt: 1, notBeforeMs: batch.nowMs };
  batch.startActivity(key, record);
}
