/**
 * Frame-based machines for the runtime benchmarks: hand-written the way the
 * compiler emits them (state in a small frame, no replay), so the numbers
 * measure the runtime, not a test double.
 */
import { orchestration } from "../runtime/api.ts";
import type { Command, Machine, StepResult, Wake } from "../runtime/machine.ts";

const graph = { states: [{ id: "start", label: "start" }, { id: "end", label: "end" }], transitions: [] };

/** Calls `activity` `count` times in sequence; output: the results. */
export function sequence(name: string, activity: string, count: number) {
  const m: Machine = {
    name,
    version: "bench-1",
    graph,
    init: (input) => ({ i: 0, input, out: [] as unknown[] }),
    step(frame: any, wakes: readonly Wake[]): StepResult {
      const f = { ...frame, out: [...frame.out] };
      for (const w of wakes) {
        if (!w.result.ok) return { frame: f, commands: [], outcome: { kind: "failed", error: w.result.error } };
        f.out.push(w.result.value);
        f.i++;
      }
      if (f.i >= count) return { frame: f, commands: [], outcome: { kind: "completed", output: f.out } };
      return { frame: f, commands: [{ kind: "activity", taskId: f.i + 1, name: activity, input: `city ${f.i}` }], outcome: { kind: "running" } };
    },
  };
  return orchestration(name, m);
}

/** Calls `activity` `width` times in parallel and sums the results. */
export function fanOut(name: string, activity: string, width: number) {
  const m: Machine = {
    name,
    version: "bench-1",
    graph,
    init: () => ({ started: false, done: 0, sum: 0 }),
    step(frame: any, wakes: readonly Wake[]): StepResult {
      const f = { ...frame };
      const commands: Command[] = [];
      if (!f.started) {
        f.started = true;
        for (let i = 0; i < width; i++) commands.push({ kind: "activity", taskId: i + 1, name: activity, input: i });
      }
      for (const w of wakes) {
        f.done++;
        f.sum += w.result.ok ? (w.result.value as number) : 0;
      }
      if (f.done === width) return { frame: f, commands, outcome: { kind: "completed", output: f.sum } };
      return { frame: f, commands, outcome: { kind: "running" } };
    },
  };
  return orchestration(name, m);
}

/**
 * One long loop: `target` activity calls, then every "tick" event is one
 * more step that sets the custom status to the step count (to time resumes).
 * A tick whose data is `{ extendTo: n }` moves the target to n and loops on,
 * so one instance is timed at step 10 and again at step 100,000.
 */
export function longLoop(name: string, activity: string) {
  const m: Machine = {
    name,
    version: "bench-1",
    graph,
    init: (input: any) => ({ i: 0, target: input.target, ticks: 0, next: 1 }),
    step(frame: any, wakes: readonly Wake[]): StepResult {
      const f = { ...frame };
      const commands: Command[] = [];
      for (const w of wakes) {
        const extendTo = w.result.ok ? (w.result.value as { extendTo?: number } | undefined)?.extendTo : undefined;
        if (typeof extendTo === "number") f.target = extendTo;
        else if (f.i < f.target) f.i++;
        else f.ticks++;
      }
      if (f.i < f.target) {
        commands.push({ kind: "activity", taskId: f.next++, name: activity, input: f.i });
      } else {
        if (f.ticks > 0) commands.push({ kind: "setStatus", value: f.i + f.ticks });
        commands.push({ kind: "waitEvent", taskId: f.next++, name: "tick" });
      }
      return { frame: f, commands, outcome: { kind: "running" } };
    },
  };
  return orchestration(name, m);
}

/** Waits for one event forever (idle instances). */
export function idle(name: string) {
  const m: Machine = {
    name,
    version: "bench-1",
    graph,
    init: (input) => ({ input, waiting: false }),
    step(frame: any): StepResult {
      if (frame.waiting) return { frame, commands: [], outcome: { kind: "completed", output: null } };
      return { frame: { ...frame, waiting: true }, commands: [{ kind: "waitEvent", taskId: 1, name: "never" }], outcome: { kind: "running" } };
    },
  };
  return orchestration(name, m);
}
