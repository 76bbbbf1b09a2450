/**
 * Instance lifecycle transitions: begin an execution, finish one (completed,
 * failed, terminated), and tell a parent about its child's end.
 *
 * Invariant: every finish runs the onInstanceEnd hooks and answers the parent
 * (if any) in the same batch, so a parent never waits for a child that ended.
 */
import type { Json } from "../backends/types.ts";
import { decode, encodeFrame, errorInfo } from "../codec.ts";
import type { ErrorInfo, Machine } from "../machine.ts";
import type { Batch } from "./batch.ts";
import type { JsonTaskResult, WakeSource } from "./messages.ts";
import { suspendedKey } from "./markers.ts";
import { hooks } from "./registry.ts";
import { setEncodedFrame, type InstanceRecord } from "./state/instance.ts";

export function runtimeError(name: string, message: string): ErrorInfo {
  return { name, message };
}

/**
 * The instance cannot run on this host (no machine for its name or version):
 * keep `error` on it and a durable marker, so a host that has the machine
 * resumes it at start-up (recovery queues every marker), not only when a
 * message happens to reach it.
 */
export function suspend(batch: Batch, rec: InstanceRecord, error: ErrorInfo): void {
  rec.suspended = error;
  const key = suspendedKey(rec.instanceId);
  if (batch.objects.get(key) === undefined) batch.objects.set(key, 1);
}

/** The instance runs again (or ended): drop the suspension and its marker. */
export function unsuspend(batch: Batch, rec: InstanceRecord): void {
  if (rec.suspended === undefined) return;
  rec.suspended = undefined;
  if (rec.status === "Suspended") {
    rec.status = "Running";
    batch.touchInstance(rec);
  }
  const key = suspendedKey(rec.instanceId);
  if (batch.objects.get(key) !== undefined) batch.objects.delete(key);
}

/** Initialises the frame for a new execution; the caller steps it. Returns false (and fails the instance) if init throws. */
export function beginExecution(batch: Batch, rec: InstanceRecord, machine: Machine): boolean {
  try {
    const frame = machine.init(decode(rec.input), { instanceId: rec.instanceId, nowMs: batch.nowMs });
    setEncodedFrame(rec, encodeFrame(frame));
  } catch (error) {
    finishInstance(batch, rec, "Failed", { error: errorInfo(error) });
    return false;
  }
  rec.status = "Running";
  batch.touchInstance(rec);
  return true;
}

export function finishInstance(
  batch: Batch,
  rec: InstanceRecord,
  status: "Completed" | "Failed" | "Terminated",
  result: { output?: Json; error?: ErrorInfo },
): void {
  rec.status = status;
  rec.output = result.output ?? null;
  rec.error = result.error ?? null;
  rec.frame = null;
  rec.inbox = [];
  rec.waiting = {};
  unsuspend(batch, rec);
  for (const hook of hooks.onInstanceEnd) hook(rec, batch);
  batch.touchInstance(rec);
  if (rec.parent) {
    const parentResult: JsonTaskResult =
      status === "Completed"
        ? { ok: true, value: rec.output }
        : {
            ok: false,
            error:
              status === "Failed"
                ? rec.error!
                : runtimeError("TerminatedError", `sub-orchestration ${rec.instanceId} was terminated: ${terminationReason(rec.output)}`),
          };
    const source: WakeSource = { kind: "subOrchestration", name: rec.name, instanceId: rec.instanceId };
    batch.sendToInstance(rec.parent.instanceId, batch.env.historyLimit > 0 ? { kind: "wake", to: rec.parent, result: parentResult, source } : { kind: "wake", to: rec.parent, result: parentResult });
  }
}

/** The reason given to terminate(), as text; undecodable data must not stop the partition that reports it. */
function terminationReason(output: Json): string {
  try {
    return String(decode(output));
  } catch (error) {
    return `(its reason cannot be decoded: ${errorInfo(error).message})`;
  }
}

/**
 * Delivers a completion to a waiting task of the instance, if that execution
 * is still running. `source` says what it came from, for the history; it is
 * kept only while the history is on (it rides in the instance's inbox).
 */
export function deliverWake(batch: Batch, rec: InstanceRecord | undefined, execution: number, taskId: number, result: JsonTaskResult, source?: WakeSource): boolean {
  if (!rec || rec.execution !== execution || rec.frame === null) return false;
  rec.inbox.push(source !== undefined && batch.env.historyLimit > 0 ? { taskId, result, source } : { taskId, result });
  batch.touchInstance(rec, false);
  batch.scheduleStep(rec.instanceId);
  return true;
}
