/**
 * The history section of `nwc show`: one header line per step (its seq and
 * time), then one line per wake (`<-`), per command (`->`) and how the step
 * ended (`at` the await it waits at, or the instance's end). The step
 * records themselves are runtime/history.ts; `--json` prints them as they are.
 */
import type { HistoryCommand, HistoryStep, HistoryWake } from "../../runtime/history.ts";

/** The history as text lines, oldest step first. */
export function historyLines(steps: readonly HistoryStep[]): string[] {
  if (steps.length === 0) return ["history   none recorded (history off, or purged)"];
  const first = steps[0]!.seq;
  const lines = [`history   ${steps.length} step${steps.length === 1 ? "" : "s"}${first > 1 ? ` (the last ones: steps before #${first} were dropped by the history limit)` : ""}`];
  for (const step of steps) {
    lines.push(`  #${step.seq}  ${new Date(step.atMs).toISOString().replace("T", " ")}${step.execution ? `  (execution ${step.execution})` : ""}`);
    for (const w of step.wakes) lines.push(`      <- ${wakeText(w)}`);
    for (const c of step.commands) lines.push(`      -> ${commandText(c)}`);
    lines.push(`      ${endText(step)}`);
  }
  return lines;
}

function wakeText(w: HistoryWake): string {
  const what = {
    activity: `activity ${w.name ?? "?"}`,
    timer: "timer",
    event: `event ${w.name ?? "?"}`,
    subOrchestration: `child ${w.instanceId ?? "?"} (${w.name ?? "?"})`,
    entity: `entity ${w.name ?? "?"}`,
    lock: "lock granted",
    reply: "reply",
  }[w.kind] ?? w.kind;
  let text = `${what} (task ${w.taskId}): ${w.ok ? "ok" : `failed, ${w.error ? `${w.error.name}: ${w.error.message}` : "no error given"}`}`;
  if (w.attempts !== undefined) text += `, after ${w.attempts} attempts`;
  if (w.lastError) text += `; last failed attempt: ${w.lastError.name}: ${w.lastError.message}`;
  return text;
}

function commandText(c: HistoryCommand): string {
  const task = c.taskId !== undefined ? ` (task ${c.taskId})` : "";
  switch (c.kind) {
    case "activity":
      return `call activity ${c.name}${task}`;
    case "subOrchestration":
      return `start child ${c.instanceId} (${c.name})${task}`;
    case "timer":
      return `timer until ${c.fireAtMs !== undefined ? new Date(c.fireAtMs).toISOString() : "?"}${task}`;
    case "waitEvent":
      return `wait for event ${c.name}${task}`;
    case "callEntity":
      return `call ${c.entity}.${c.op}${task}`;
    case "signalEntity":
      return `signal ${c.entity}.${c.op}`;
    case "lock":
      return `lock ${c.entity}${task}`;
    case "unlock":
      return `unlock ${c.entity}`;
    case "endTransaction":
      return `end transaction on ${c.entity}`;
    default:
      return c.kind;
  }
}

function endText(step: HistoryStep): string {
  switch (step.outcome) {
    case "running":
      return step.waitsAt && step.waitsAt.length > 0
        ? `at ${step.waitsAt.map((w) => (w.line !== undefined ? `line ${w.line}` : w.label)).join(" | ")}`
        : "waits";
    case "completed":
      return "completed";
    case "failed":
      return `failed${step.error ? `: ${step.error.name}: ${step.error.message}` : ""}`;
    case "continuedAsNew":
      return "continued as new";
  }
}
