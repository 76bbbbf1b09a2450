/**
 * Command `timer`: a durable timer object; the partition's due-heap fires it.
 * Invariant: one timer object per (instance, execution, taskId).
 */
import type { Command } from "../../machine.ts";
import type { Batch } from "../batch.ts";
import type { InstanceRecord } from "../state/instance.ts";
import { timerKey } from "../state/timers.ts";

export function onTimer(command: Extract<Command, { kind: "timer" }>, rec: InstanceRecord, batch: Batch): void {
  if (!Number.isFinite(command.fireAtMs)) throw new RangeError(`ctx.sleep: the wake-up time ${command.fireAtMs} is not a finite number of milliseconds`);
  const key = timerKey(rec.instanceId, rec.execution, command.taskId);
  if (batch.objects.get(key)) return;
  batch.armTimer(key, { instanceId: rec.instanceId, execution: rec.execution, taskId: command.taskId, fireAtMs: command.fireAtMs });
}
