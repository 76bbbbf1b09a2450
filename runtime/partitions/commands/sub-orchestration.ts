/**
 * Command `subOrchestration`: send a start message to the child's partition,
 * naming this task as the parent; the child's end comes back as a `wake`.
 * Invariant: the child's instance id is chosen by the machine (deterministic),
 * so a step re-run after a crash starts the same child, which is idempotent.
 */
import type { Command } from "../../machine.ts";
import type { Batch } from "../batch.ts";
import type { InstanceRecord } from "../state/instance.ts";
import { checkPayload, PayloadError } from "../limits.ts";

export function onSubOrchestration(command: Extract<Command, { kind: "subOrchestration" }>, rec: InstanceRecord, batch: Batch): void {
  if (typeof command.instanceId !== "string" || command.instanceId.length === 0) {
    throw new TypeError(`ctx.callSub(${command.name}): the child instance id must be a non-empty string`);
  }
  const input = checkPayload(command.input, `the input of sub-orchestration "${command.name}"`);
  if (!input.ok) throw new PayloadError(input.error.message, input.error.name);
  batch.sendToInstance(command.instanceId, {
    kind: "startInstance",
    instanceId: command.instanceId,
    name: command.name,
    input: input.json,
    parent: { instanceId: rec.instanceId, execution: rec.execution, taskId: command.taskId },
  });
}
