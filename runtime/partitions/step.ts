/**
 * Runs one machine step of one instance: decode the frame (or take the one
 * kept from the last step: decoded-frames.ts) and the inbox, call
 * `Machine.step`, run each command through the command table, encode the new
 * frame, apply the outcome. Called once per instance per batch at most (one
 * step in flight per instance).
 *
 * Invariants: a step that throws, asks for an unknown command, or returns a
 * frame the codec refuses fails the instance with a clear error rather than
 * leaving it hanging; an instance whose machine version this host lacks is
 * suspended (its inbox kept) with an error saying which version is needed.
 */
import type { Json } from "../backends/types.ts";
import { decode, encodeFrameText, errorInfo, type FrameText } from "../codec.ts";
import type { Command, Outcome, Wake } from "../machine.ts";
import type { Batch } from "./batch.ts";
import { journalStep, waitsOf } from "./journal.ts";
import { beginExecution, finishInstance, runtimeError, suspend, unsuspend } from "./lifecycle.ts";
import { commandHandlers, hooks } from "./registry.ts";
import { encodedFrameOf, setFrameText, type InstanceRecord } from "./state/instance.ts";
import { checkPayload } from "./limits.ts";
import { autoUpgrade } from "../upgrade/apply.ts";

export function runStep(batch: Batch, rec: InstanceRecord): void {
  if (rec.frame === null) return;
  autoUpgrade(batch, rec);
  const found = batch.app.lookup(rec.name, rec.version);
  if (!("machine" in found)) return waitForMachine(batch, rec, found);
  const machine = found.machine;
  if (rec.suspended) unsuspend(batch, rec);
  const env = { instanceId: rec.instanceId, nowMs: batch.nowMs, stepBudget: batch.env.stepBudget };
  let wakes: Wake[];
  try {
    wakes = rec.inbox.map((w) => ({
      taskId: w.taskId,
      result: w.result.ok ? { ok: true, value: decodeResult(w.result.value, w.taskId) } : { ok: false, error: w.result.error },
    }));
  } catch (error) {
    // One undecodable result fails its instance, never the partition (which would retry the batch forever).
    const { inbox, execution } = rec;
    finishInstance(batch, rec, "Failed", { error: runtimeError("PayloadNotDecodable", `orchestration "${rec.name}": ${errorInfo(error).message}`) });
    journalStep(batch, rec, execution, inbox, [], undefined);
    return;
  }
  const inbox = rec.inbox;
  rec.inbox = [];
  const execution = rec.execution;
  const kept = batch.objects.decodedFrames.take(rec, rec.frame);
  let result;
  try {
    result = machine.step(kept ?? decode(encodedFrameOf(rec)), wakes, env);
  } catch (error) {
    finishInstance(batch, rec, "Failed", { error: errorInfo(error) });
    trace(batch, rec, wakes, [], "failed", undefined);
    journalStep(batch, rec, execution, inbox, [], undefined);
    return;
  }
  let encoded: FrameText;
  try {
    encoded = encodeFrameText(result.frame);
  } catch (error) {
    finishInstance(batch, rec, "Failed", {
      error: runtimeError("FrameNotSerializable", `orchestration "${rec.name}": its state cannot be persisted: ${userPath(errorInfo(error).message)}`),
    });
    journalStep(batch, rec, execution, inbox, result.commands, undefined);
    return;
  }
  const frameText = setFrameText(rec, encoded.text);
  for (const command of result.commands) {
    if (rec.frame === null || rec.execution !== execution) break;
    const handler = commandHandlers.get(command.kind);
    if (!handler) {
      finishInstance(batch, rec, "Failed", {
        error: runtimeError(
          "UnsupportedCommand",
          `orchestration "${rec.name}" asked for "${command.kind}", which this runtime does not handle; ` +
            `remove that call or run a version of nwc that supports it`,
        ),
      });
      break;
    }
    try {
      handler(command, rec, batch);
    } catch (error) {
      finishInstance(batch, rec, "Failed", { error: errorInfo(error) });
      break;
    }
  }
  batch.touchInstance(rec, false);
  // Where it waits: for timelines and the history only, so computed only when someone records them.
  const wanted = batch.env.onStep !== undefined || (batch.env.historyLimit > 0 && result.outcome.kind === "running");
  const position = wanted && machine.position && rec.frame !== null
    ? safePosition(() => machine.position!(result.frame))
    : undefined;
  if (batch.env.onStep) trace(batch, rec, wakes, result.commands, result.outcome.kind, position);
  if (rec.frame !== null) applyOutcome(batch, rec, result.outcome);
  // Kept for the next step only if nothing replaced the frame meanwhile (a command or the outcome may have ended the instance).
  if (machine.reusesFrames === true && encoded.roundTripsExactly && rec.frame === frameText && result.outcome.kind === "running" && !asksToWaitLong(result.commands)) {
    batch.objects.decodedFrames.keep(rec, frameText, result.frame);
  } else batch.objects.decodedFrames.drop(rec);
  journalStep(batch, rec, execution, inbox, result.commands, position && waitsOf(position, machine.graph));
}

/**
 * The host lacks the instance's version: while the stored code loads, the
 * instance waits (still Running) and is resumed when the load settles; if it
 * cannot be loaded, the instance is Suspended with the reason and the fix.
 * Either way its inbox is kept and a marker makes the next host retry.
 */
function waitForMachine(batch: Batch, rec: InstanceRecord, found: { loading: Promise<unknown> } | { unavailable: string }): void {
  if ("loading" in found) {
    suspend(batch, rec, runtimeError("MachineVersionLoading", `loading version ${rec.version} of orchestration "${rec.name}" from the stored versions`));
    batch.touchInstance(rec, false);
    batch.env.whenSettled?.(found.loading, { kind: "resumeSuspended", instanceId: rec.instanceId });
    return;
  }
  const have = [...(batch.app.orchestrations.get(rec.name)?.keys() ?? [])];
  suspend(batch, rec, runtimeError(
    "MachineVersionMissing",
    `instance ${rec.instanceId} runs version ${rec.version} of orchestration "${rec.name}", which this host cannot load: ${found.unavailable}. ` +
      `This host has ${have.length ? `version(s) ${have.join(", ")}` : "no orchestration of that name"}. ` +
      `Start a host whose app includes that version (the build the instance started on) and it resumes, or terminate the instance`,
  ));
  rec.status = "Suspended";
  batch.touchInstance(rec);
  batch.env.log("warn", rec.suspended!.message);
}

/** An event or a timer may take days: an instance waiting for one keeps only its encoded frame (decoded-frames.ts). */
function asksToWaitLong(commands: readonly Command[]): boolean {
  for (const c of commands) if (c.kind === "waitEvent" || c.kind === "timer") return true;
  return false;
}

function applyOutcome(batch: Batch, rec: InstanceRecord, outcome: Outcome): void {
  switch (outcome.kind) {
    case "running":
      return;
    case "completed": {
      const output = checkPayload(outcome.output, `the output of orchestration "${rec.name}"`);
      if (output.ok) finishInstance(batch, rec, "Completed", { output: output.json });
      else finishInstance(batch, rec, "Failed", { error: output.error });
      return;
    }
    case "failed":
      finishInstance(batch, rec, "Failed", { error: outcome.error });
      return;
    case "continuedAsNew": {
      const input = checkPayload(outcome.input, `the continueAsNew input of orchestration "${rec.name}"`);
      if (!input.ok) return finishInstance(batch, rec, "Failed", { error: input.error });
      continueAsNew(batch, rec, input.json);
      return;
    }
  }
}

/** The new execution's first step runs in the next batch (fairness: a loop of continue-as-new cannot hog a batch). */
function continueAsNew(batch: Batch, rec: InstanceRecord, input: Json): void {
  for (const hook of hooks.onInstanceEnd) hook(rec, batch);
  rec.execution += 1;
  rec.input = input;
  rec.output = null;
  rec.inbox = [];
  rec.waiting = {};
  // Buffered events stay: an event raised between executions is not lost (documented in docs/runtime.md).
  const machine = batch.app.latest.get(rec.name) ?? batch.app.machine(rec.name, rec.version)!;
  rec.version = machine.version;
  if (!beginExecution(batch, rec, machine)) return;
  batch.scheduleStep(rec.instanceId);
}

/** Scope ids mean nothing to the author: `frame.scopes["3"].order` reads `frame.locals.order`. */
function userPath(message: string): string {
  return message.replace(/frame\.scopes\["\d+"\]/g, "frame.locals");
}

function decodeResult(value: Json, taskId: number): unknown {
  try {
    return decode(value);
  } catch (error) {
    throw new Error(`the result of task ${taskId} cannot be decoded: ${errorInfo(error).message}`);
  }
}

function safePosition(f: () => string[]): string[] | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

function trace(batch: Batch, rec: InstanceRecord, wakes: Wake[], commands: Command[], outcome: string, position: string[] | undefined): void {
  batch.env.onStep?.({
    instanceId: rec.instanceId,
    atMs: batch.nowMs,
    execution: rec.execution,
    position,
    wakes: wakes.map((w) => ({ taskId: w.taskId, ok: w.result.ok })),
    commands: commands.map(describeCommand),
    outcome,
  });
}

function describeCommand(c: Command): string {
  switch (c.kind) {
    case "activity":
      return `activity ${c.name} #${c.taskId}`;
    case "subOrchestration":
      return `sub ${c.name} ${c.instanceId} #${c.taskId}`;
    case "timer":
      return `timer #${c.taskId}`;
    case "waitEvent":
      return `waitEvent ${c.name} #${c.taskId}`;
    case "callEntity":
      return `call ${c.entity.name}(${c.entity.key}).${c.op} #${c.taskId}`;
    case "signalEntity":
      return `signal ${c.entity.name}(${c.entity.key}).${c.op}`;
    case "setStatus":
      return "setStatus";
    default:
      return c.kind;
  }
}
