/**
 * The history panel of an opened instance: one line per step of the host's
 * journal (GET /api/instances/:id/history): its time, what woke it, what it
 * issued (a sub-orchestration's child is a link), and where it waits after.
 * A host without the history route (GET /api does not list it) gets a note
 * instead of the panel.
 *
 * Invariant: every text goes through `esc`.
 */
import type { MachineGraph } from "../../../runtime/machine.ts";
import type { HistoryStepView, HistoryView } from "../adapters/dev-api.ts";
import { esc, formatTime, instanceLink } from "./html.ts";

/** `undefined`: the host has no history route. */
export function renderHistory(history: HistoryView | undefined): string {
  if (!history) return `<h3>History</h3><p class="muted history-unavailable">History is not available from this nwc dev (it has no GET /api/instances/:id/history).</p>`;
  if (history.steps.length === 0) return `<h3>History</h3><p class="muted">No steps recorded (the history may be switched off on this host).</p>`;
  const items = history.steps.map((step) => `<li class="step ${step.outcome}" data-seq="${step.seq}">${stepText(step)}</li>`);
  return `<h3>History <span class="muted">(${history.steps.length} step${history.steps.length === 1 ? "" : "s"}, oldest first)</span></h3><ol class="history">${items.join("")}</ol>`;
}

function stepText(step: HistoryStepView): string {
  const parts = [`<b>#${step.seq}</b> ${esc(formatTime(step.atMs))}`];
  if (step.wakes.length) parts.push(`woke by ${step.wakes.map(wakeText).join(", ")}`);
  if (step.commands.length) parts.push(`issued ${step.commands.map(commandText).join(", ")}`);
  if (step.outcome === "failed") {
    // The usual failure is a failed wake rethrown: its error is already on this line.
    const told = step.error && step.wakes.some((w) => w.error?.name === step.error!.name && w.error.message === step.error!.message);
    parts.push(`<span class="error">instance failed${step.error && !told ? `: ${esc(step.error.name)}: ${esc(step.error.message)}` : ""}</span>`);
  }
  else if (step.outcome !== "running") parts.push(esc(step.outcome));
  if (step.waitsAt?.length) parts.push(`waits at <span class="at">${step.waitsAt.map((w) => esc(w.line !== undefined ? `line ${w.line}${w.label ? `: ${w.label}` : ""}` : (w.label ?? ""))).join(" and ")}</span>`);
  return parts.join(" · ");
}

function wakeText(w: HistoryStepView["wakes"][number]): string {
  const who = `${esc(w.kind)}${w.name ? ` ${esc(w.name)}` : ""}${w.instanceId ? ` ${instanceLink(w.instanceId)}` : ""}`;
  const attempts = w.attempts && w.attempts > 1 ? ` after ${w.attempts} attempts${w.lastError ? ` (last error ${esc(w.lastError.name)}: ${esc(w.lastError.message)})` : ""}` : "";
  return `${who} ${w.ok ? "ok" : `<span class="error">failed${w.error ? `: ${esc(w.error.name)}: ${esc(w.error.message)}` : ""}</span>`}${attempts}`;
}

function commandText(c: HistoryStepView["commands"][number]): string {
  if (c.kind === "subOrchestration") return `sub-orchestration ${esc(c.name ?? "")}${c.instanceId ? ` ${instanceLink(c.instanceId)}` : ""}`;
  if (c.kind === "timer" && c.fireAtMs !== undefined) return `timer at ${esc(formatTime(c.fireAtMs))}`;
  const target = c.entity ? ` ${esc(c.entity)}${c.op ? `.${esc(c.op)}` : ""}` : c.name ? ` ${esc(c.name)}` : "";
  return `${esc(c.kind)}${target}`;
}

/** Child instance ids the history names (sub-orchestrations started or finished), in order of first mention. */
export function childrenInHistory(history: HistoryView | undefined): string[] {
  const ids: string[] = [];
  for (const step of history?.steps ?? []) {
    for (const c of step.commands) if (c.kind === "subOrchestration" && c.instanceId && !ids.includes(c.instanceId)) ids.push(c.instanceId);
    for (const w of step.wakes) if (w.kind === "subOrchestration" && w.instanceId && !ids.includes(w.instanceId)) ids.push(w.instanceId);
  }
  return ids;
}

/**
 * The history names an await point by its source line only (the records stay
 * small); the await's text is in the orchestration's graph. Fills each label
 * from the graph state on that line; a line the graph does not know (another
 * version of the code) keeps no text but its number.
 */
export function labelWaits(history: HistoryView | undefined, graph: MachineGraph | undefined): HistoryView | undefined {
  if (!history) return undefined;
  const byLine = new Map<number, string>();
  for (const st of graph?.states ?? []) if (st.line !== undefined && !byLine.has(st.line)) byLine.set(st.line, st.label);
  const steps = history.steps.map((step) =>
    step.waitsAt ? { ...step, waitsAt: step.waitsAt.map((w) => ({ ...w, label: w.label ?? (w.line !== undefined ? byLine.get(w.line) : undefined) ?? "" })) } : step,
  );
  return { ...history, steps };
}
