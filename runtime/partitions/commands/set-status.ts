/**
 * Command `setStatus`: the instance's custom status, visible in `status(id)`
 * from this step's commit on.
 */
import type { Command } from "../../machine.ts";
import type { Batch } from "../batch.ts";
import type { InstanceRecord } from "../state/instance.ts";
import { checkPayload, PayloadError } from "../limits.ts";

export function onSetStatus(command: Extract<Command, { kind: "setStatus" }>, rec: InstanceRecord, batch: Batch): void {
  const value = checkPayload(command.value, `the custom status of orchestration "${rec.name}"`);
  if (!value.ok) throw new PayloadError(value.error.message, value.error.name);
  rec.customStatus = value.json;
  batch.touchInstance(rec);
}
