/**
 * Writing the history (runtime/history.ts): after each step, one small
 * record of what woke the instance, what it asked for and where it waits,
 * set as a step object in the same batch, so it goes into the same commit as
 * the state change it describes (state/history.ts keeps the keys and the cap).
 *
 * Records hold names, task ids and error summaries only, never payloads, as
 * compact rows (state/history-row.ts): a step record is tens of bytes,
 * whatever the instance carries.
 */
import type { HistoryStep } from "../history.ts";
import type { Command, EntityId, ErrorInfo, MachineGraph } from "../machine.ts";
import type { Batch } from "./batch.ts";
import { appendStep, deleteSteps } from "./state/history.ts";
import { commandRow, stepRowTail, waitText, wakeRow, type ErrorRow } from "./state/history-row.ts";
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
  waitsAt: string | undefined,
): void {
  const limit = batch.env.historyLimit;
  if (limit === 0) {
    // Switched off since the instance's last step: what it has goes now, as a lowered limit trims at the next step.
    deleteSteps(batch.objects, rec);
    return;
  }
  const outcome = outcomeOf(rec, execution);
  const error = outcome === "failed" && rec.error ? errorRow(rec.error) : undefined;
  const waits = outcome === "running" && waitsAt !== undefined ? waitsAt : "";
  let wakes = "";
  for (const entry of inbox) wakes += (wakes === "" ? "" : ",") + historyWake(entry);
  let issued = "";
  for (const command of commands) issued += (issued === "" ? "" : ",") + historyCommand(command);
  appendStep(batch.objects, rec, stepRowTail(batch.nowMs, outcome, wakes, issued, waits, execution, error), limit);
}

function outcomeOf(rec: InstanceRecord, execution: number): HistoryStep["outcome"] {
  if (rec.status === "Completed") return "completed";
  if (rec.status === "Failed") return "failed";
  return rec.execution !== execution ? "continuedAsNew" : "running";
}

/**
 * Per graph, its await points as the JSON text of a step's waits, made
 * once: a source line where the state has one, else the state's label.
 */
const waitsByGraph = new WeakMap<MachineGraph, Map<string, string>>();

/** Graph states as the text of a row's waits, joined with commas (the graph is the machine's, so this needs no source files). */
export function waitsOf(states: readonly string[], graph: MachineGraph): string {
  let byState = waitsByGraph.get(graph);
  if (!byState) {
    // The line alone where there is one: the label is in the graph (GET /api/orchestrations), and every byte here is paid per step.
    byState = new Map(graph.states.map((s) => [s.id, waitText(s.line ?? s.label)]));
    waitsByGraph.set(graph, byState);
  }
  let out = "";
  for (const id of states) {
    const wait = byState.get(id);
    if (wait !== undefined) out += (out === "" ? "" : ",") + wait;
  }
  return out;
}

function historyWake(entry: InboxEntry): string {
  const source = entry.source;
  const result = entry.result;
  const attempts = source?.attempts !== undefined && source.attempts > 1 ? source.attempts : undefined;
  const lastError = source?.lastError !== undefined ? errorRow(source.lastError) : undefined;
  return wakeRow(entry.taskId, source?.kind ?? "reply", result.ok, source?.name, source?.instanceId, result.ok ? undefined : errorRow(result.error), attempts, lastError);
}

function historyCommand(c: Command): string {
  switch (c.kind) {
    case "activity":
    case "waitEvent":
      return commandRow(c.kind, c.taskId, c.name);
    case "subOrchestration":
      return commandRow(c.kind, c.taskId, c.name, c.instanceId);
    case "timer":
      return commandRow(c.kind, c.taskId, undefined, undefined, undefined, undefined, c.fireAtMs);
    case "callEntity":
      return commandRow(c.kind, c.taskId, undefined, undefined, entityText(c.entity), c.op);
    case "signalEntity":
      return commandRow(c.kind, undefined, undefined, undefined, entityText(c.entity), c.op);
    case "lock":
      return commandRow(c.kind, c.taskId, undefined, undefined, c.entities.map(entityText).join(", "));
    case "unlock":
    case "endTransaction":
      return commandRow(c.kind, undefined, undefined, undefined, c.entities.map(entityText).join(", "));
    default:
      return commandRow(c.kind);
  }
}

function entityText(e: EntityId): string {
  return `${e.name}(${e.key})`;
}

function errorRow(error: ErrorInfo): ErrorRow {
  const message = String(error?.message ?? "");
  return [String(error?.name ?? "Error"), message.length > MAX_HISTORY_MESSAGE_CHARS ? `${message.slice(0, MAX_HISTORY_MESSAGE_CHARS)}…` : message];
}
