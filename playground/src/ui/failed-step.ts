/**
 * Where a failed instance failed, in source terms. Two sources, best first:
 * - its history (when the host keeps one): the failing step is the last one,
 *   outcome "failed"; it resumed from the await points the step before it
 *   waited at, so those are the source lines of the failed step, and the
 *   failed wakes say which task's error ended it;
 * - the error's stack: its first frame is the line that threw (an activity's
 *   `throw`, or the orchestration's own code).
 *
 * Invariant: pure; every state id returned names a state of the graph.
 */
import type { MachineGraph } from "../../../runtime/machine.ts";
import type { HistoryView, InstanceStatusView } from "../adapters/dev-api.ts";

export interface FailedStep {
  error: { name: string; message: string; stack?: string };
  /** The await points the failing step resumed from (from the history). */
  awaits: { line?: number; label?: string }[];
  /** The failed wakes of that step: "activity charge: RangeError: ...". */
  causes: string[];
  /** `file:line:column` of the stack's first frame. */
  thrownAt?: string;
  /** Graph states of `awaits`, to mark on the picture. */
  stateIds: string[];
}

export function failedStep(s: InstanceStatusView, history: HistoryView | undefined, graph: MachineGraph | undefined): FailedStep | undefined {
  if (s.status !== "Failed" || !s.error) return undefined;
  const steps = history?.steps ?? [];
  const last = steps.at(-1);
  const failing = last?.outcome === "failed" ? last : undefined;
  const before = failing ? steps[steps.length - 2] : undefined;
  const awaits = before && before.seq === failing!.seq - 1 ? before.waitsAt ?? [] : [];
  const causes = (failing?.wakes ?? []).filter((w) => !w.ok && w.error).map((w) => `${w.kind}${w.name ? ` ${w.name}` : ""}: ${w.error!.name}: ${w.error!.message}`);
  const lines = new Set(awaits.map((a) => a.line).filter((l): l is number => l !== undefined));
  const stateIds = graph ? graph.states.filter((st) => st.line !== undefined && lines.has(st.line)).map((st) => st.id) : [];
  const thrownAt = firstStackFrame(s.error.stack);
  return { error: s.error, awaits, causes, ...(thrownAt ? { thrownAt } : {}), stateIds };
}

/** `path:line:col` of the first `at` line of a V8 stack, shortened to the file's name. */
export function firstStackFrame(stack: string | undefined): string | undefined {
  const m = /^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/m.exec(stack ?? "");
  if (!m) return undefined;
  const file = m[1]!.replace(/^file:\/\//, "").split(/[\\/]/).at(-1);
  return `${file}:${m[2]}:${m[3]}`;
}
