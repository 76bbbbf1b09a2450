/**
 * `startInstance`: create the instance and run its first step, or do nothing
 * if an instance with that id exists (start is idempotent per instance id).
 * Invariant: a start never resets an existing instance, finished or not.
 */
import { partitionOfInstance } from "../hash.ts";
import type { Batch } from "../batch.ts";
import { beginExecution, runtimeError, suspend, unsuspend } from "../lifecycle.ts";
import type { StartInstanceMessage } from "../messages.ts";
import type { MessageHandler } from "../registry.ts";
import { instanceKey, type InstanceRecord } from "../state/instance.ts";

export const startInstance: MessageHandler<StartInstanceMessage> = {
  keys: (m) => [instanceKey(m.instanceId)],
  apply(m, batch) {
    if (partitionOfInstance(m.instanceId, batch.env.partitionCount) !== batch.env.partition) {
      throw new Error(`startInstance ${m.instanceId} reached partition ${batch.env.partition}, which does not own it`);
    }
    const existing = batch.instance(m.instanceId);
    if (existing && existing.status === "Pending" && existing.frame === null && !m.parent) {
      // Pending because an earlier host lacked the orchestration: a repeated start on a host that has it begins it.
      beginPending(batch, existing);
      return;
    }
    if (existing) {
      // A sub-orchestration id already used by another instance: tell the parent instead of leaving it waiting.
      if (m.parent && (existing.parent?.instanceId !== m.parent.instanceId || existing.parent.taskId !== m.parent.taskId)) {
        batch.sendToInstance(m.parent.instanceId, {
          kind: "wake",
          to: m.parent,
          result: { ok: false, error: runtimeError("InstanceExists", `ctx.callSub: instance id ${m.instanceId} is already used by another instance; pass a unique instanceId`) },
        });
      }
      return;
    }
    const machine = batch.app.latest.get(m.name);
    const rec: InstanceRecord = {
      instanceId: m.instanceId,
      name: m.name,
      version: machine?.version ?? "",
      execution: 0,
      status: "Pending",
      input: m.input,
      output: null,
      error: null,
      customStatus: null,
      createdAt: batch.nowMs,
      updatedAt: batch.nowMs,
      frame: null,
      frameText: true,
      inbox: [],
      waiting: {},
      buffered: {},
      // Present from the start, though undefined until the first step is recorded: added later, they would change the
      // record's hidden class after creation, which every later access and commit copy pays for (docs/runtime.md).
      historyFirst: undefined,
      historyLast: undefined,
      ext: {},
    };
    if (m.parent) rec.parent = m.parent;
    batch.objects.set(instanceKey(m.instanceId), rec);
    batch.statusChanged.add(m.instanceId);
    if (!machine) {
      // Pending until a host that knows the orchestration takes the partition: nothing is lost.
      suspend(batch, rec, runtimeError(
        "UnknownOrchestration",
        `no orchestration named "${m.name}" is registered on this host; add it to the host's app (startHost({ app: [...] }))`,
      ));
      batch.env.log("warn", rec.suspended!.message);
      return;
    }
    if (beginExecution(batch, rec, machine)) batch.scheduleStep(m.instanceId);
  },
};

/** Begins a Pending instance (started while no machine was known) if this host has its orchestration now. */
export function beginPending(batch: Batch, rec: InstanceRecord): void {
  const machine = batch.app.latest.get(rec.name);
  if (!machine) return;
  rec.version = machine.version;
  unsuspend(batch, rec);
  if (beginExecution(batch, rec, machine)) batch.scheduleStep(rec.instanceId);
}
