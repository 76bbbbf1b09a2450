/**
 * Command `signalEntity`: send a fire-and-forget operation to the entity.
 * Invariant: signals from one instance reach the entity in the order issued
 * (per-sender sequence numbers).
 */
import type { Command } from "../../machine.ts";
import type { Batch } from "../batch.ts";
import { hooks } from "../registry.ts";
import type { InstanceRecord } from "../state/instance.ts";
import { checkPayload, PayloadError } from "../limits.ts";

export function onSignalEntity(command: Extract<Command, { kind: "signalEntity" }>, rec: InstanceRecord, batch: Batch): void {
  const input = checkPayload(command.input, `the input of ${command.entity.name}.${command.op}`);
  if (!input.ok) throw new PayloadError(input.error.message, input.error.name);
  hooks.checkSignal?.(rec, command);
  batch.sendToEntity(command.entity, { kind: "entityOperation", entity: command.entity, op: command.op, input: input.json });
}
