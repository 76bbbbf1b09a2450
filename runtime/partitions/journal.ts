/**
 * Writing the history (runtime/history.ts): after each step, one small
 * record of what woke the instance, what it asked for and where it waits,
 * set as a step object in the same batch, so it goes into the same commit as
 * the state change it describes (state/history.ts keeps the keys and the cap).
 *
 * Records hold names, task ids and error summaries only, never payloads: a
 * step record is a few hundred bytes whatever the instance carries.
 */
import type { HistoryCommand, HistoryError, HistoryWait, HistoryWake, HistoryStep } from "../history.ts";
import type { Command, EntityId, ErrorInfo, MachineGraph } from "../machine.ts";
import type { Batch } from "./batch.ts";
import { appendStep, deleteSteps } from "./state/history.ts";
import type { InboxEntry, InstanceRecord } from "./state/instance.ts";

/** Characters of an error message kept in a record: enough to read, while a step record stays small. */
export const MAX_HISTORY_MESSAGE_CHARS = 500;

/**
 * Records one step of `rec`, which ran in `execution`, once its outcome is
 * applied: the outcome is read from the instance (a step whose output or
 * command was refused failed, whatever the machine said). Does nothing while
 * the history is off.
 */
export function journalStep(
  batch: Batch,
  rec: InstanceRecord,
  execution: number,
  inbox: readonly InboxEntry[],
  commands: readonly Command[],
  waitsAt: HistoryWait[] | undefined,
): void {
  const limit = batch.env.historyLimit;
  if (limit === 0) {
    // Switched off since the instance's last step: what it has goes now, as a lowered limit trims at the next step.
    deleteSteps(batch.objects, rec);
    return;
  }
  // seq is set by appendStep; no spreads here: this runs after every step.
  const step: HistoryStep = { seq: 0, atMs: batch.nowMs, wakes: inbox.map(historyWake), commands: commands.map(historyCommand), outcome: outcomeOf(rec, execution) };
  if (execution > 0) step.execution = execution;
  if (step.outcome === "failed" && rec.error) step.error = summary(rec.error);
  if (waitsAt && waitsAt.length > 0 && step.outcome === "running") step.waitsAt = waitsAt;
  appendStep(batch.objects, rec, step, limit);
}

function outcomeOf(rec: InstanceRecord, execution: number): HistoryStep["outcome"] {
  if (rec.status === "Completed") return "completed";
  if (rec.status === "Failed") return "failed";
  return rec.execution !== execution ? "continuedAsNew" : "running";
}

/**
 * Per graph, its await points as history entries, built once: every step
 * that waits at a state shares its entry (records are never changed in
 * place), so recording where a step waits allocates nothing per state.
 */
const waitsByGraph = new WeakMap<MachineGraph, Map<string, HistoryWait>>();

/** Graph states as source lines and await labels (the graph is the machine's, so this needs no source files). */
export function waitsOf(states: readonly string[], graph: MachineGraph): HistoryWait[] {
  let byState = waitsByGraph.get(graph);
  if (!byState) {
    // The line alone where there is one: the label is in the graph (GET /api/orchestrations), and every byte here is paid per step.
    byState = new Map(graph.states.map((s) => [s.id, s.line !== undefined ? { line: s.line } : { label: s.label }]));
    waitsByGraph.set(graph, byState);
  }
  const out: HistoryWait[] = [];
  for (const id of states) {
    const wait = byState.get(id);
    if (wait) out.push(wait);
  }
  return out;
}

function historyWake(entry: InboxEntry): HistoryWake {
  const source = entry.source;
  const wake: HistoryWake = { taskId: entry.taskId, kind: source?.kind ?? "reply", ok: entry.result.ok };
  if (source?.name !== undefined) wake.name = source.name;
  if (source?.instanceId !== undefined) wake.instanceId = source.instanceId;
  if (!entry.result.ok) wake.error = summary(entry.result.error);
  if (source?.attempts !== undefined && source.attempts > 1) wake.attempts = source.attempts;
  if (source?.lastError !== undefined) wake.lastError = summary(source.lastError);
  return wake;
}

function historyCommand(c: Command): HistoryCommand {
  switch (c.kind) {
    case "activity":
      return { kind: c.kind, taskId: c.taskId, name: c.name };
    case "subOrchestration":
      return { kind: c.kind, taskId: c.taskId, name: c.name, instanceId: c.instanceId };
    case "timer":
      return { kind: c.kind, taskId: c.taskId, fireAtMs: c.fireAtMs };
    case "waitEvent":
      return { kind: c.kind, taskId: c.taskId, name: c.name };
    case "callEntity":
      return { kind: c.kind, taskId: c.taskId, entity: entityText(c.entity), op: c.op };
    case "signalEntity":
      return { kind: c.kind, entity: entityText(c.entity), op: c.op };
    case "lock":
      return { kind: c.kind, taskId: c.taskId, entity: c.entities.map(entityText).join(", ") };
    case "unlock":
    case "endTransaction":
      return { kind: c.kind, entity: c.entities.map(entityText).join(", ") };
    default:
      return { kind: c.kind };
  }
}

function entityText(e: EntityId): string {
  return `${e.name}(${e.key})`;
}

function summary(error: ErrorInfo): HistoryError {
  const message = String(error?.message ?? "");
  return { name: String(error?.name ?? "Error"), message: message.length > MAX_HISTORY_MESSAGE_CHARS ? `${message.slice(0, MAX_HISTORY_MESSAGE_CHARS)}…` : message };
}
