/**
 * Command `callEntity`: send the operation to the entity's partition with
 * this task as the caller; the result comes back as a `wake`.
 * Invariant: extension rules (critical sections) see every call first and may
 * tag it or refuse it (failing the instance).
 */
import type { Command } from "../../machine.ts";
import type { Batch } from "../batch.ts";
import type { EntityOperationMessage } from "../messages.ts";
import { hooks } from "../registry.ts";
import type { InstanceRecord } from "../state/instance.ts";
import { checkPayload, PayloadError } from "../limits.ts";

export function onCallEntity(command: Extract<Command, { kind: "callEntity" }>, rec: InstanceRecord, batch: Batch): void {
  if (!batch.app.entities.has(command.entity.name) && batch.app.entities.size > 0) {
    throw new TypeError(`ctx.entity: no entity named "${command.entity.name}" is registered; add it to the host's app`);
  }
  const input = checkPayload(command.input, `the input of ${command.entity.name}.${command.op}`);
  if (!input.ok) throw new PayloadError(input.error.message, input.error.name);
  const message: EntityOperationMessage = {
    kind: "entityOperation",
    entity: command.entity,
    op: command.op,
    input: input.json,
    caller: { instanceId: rec.instanceId, execution: rec.execution, taskId: command.taskId },
  };
  if (command.transactionId !== undefined && !hooks.tagEntityCall) {
    throw new TypeError(`tx.entity(${command.entity.name}): transactions are not supported by this runtime`);
  }
  hooks.tagEntityCall?.(rec, command, message);
  batch.sendToEntity(command.entity, message);
}
