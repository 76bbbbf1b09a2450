/**
 * Command `waitEvent`: take the oldest buffered event of that name if one was
 * raised already, else wait for it.
 * Invariant: each raised event satisfies exactly one wait, first come first served.
 */
import type { Command } from "../../machine.ts";
import type { Batch } from "../batch.ts";
import { deliverWake } from "../lifecycle.ts";
import type { InstanceRecord } from "../state/instance.ts";

export function onWaitEvent(command: Extract<Command, { kind: "waitEvent" }>, rec: InstanceRecord, batch: Batch): void {
  const buffered = rec.buffered[command.name];
  if (buffered && buffered.length > 0) {
    const data = buffered.shift()!;
    if (buffered.length === 0) delete rec.buffered[command.name];
    deliverWake(batch, rec, rec.execution, command.taskId, { ok: true, value: data }, { kind: "event", name: command.name });
    return;
  }
  const waiting = (rec.waiting[command.name] ??= []);
  if (!waiting.includes(command.taskId)) waiting.push(command.taskId);
}
