/**
 * Hand-written machines for runtime tests that must not depend on the
 * compiler: a generator describes the orchestration, each `yield` hands the
 * runtime a list of commands and receives the results of the awaited ones
 * (in order). The frame records the results so far; a step re-runs the
 * generator over them (test-only replay: the compiled machines never replay).
 *
 * Task ids are assigned in yield order, so they are deterministic.
 */
import { orchestration, type Orchestration } from "../../runtime/api.ts";
import type { EntityId, ErrorInfo, Machine, StepEnv, TaskResult, Wake } from "../../runtime/machine.ts";

export type Req =
  | { kind: "lock"; entities: EntityId[] }
  | { kind: "unlock"; lockTaskId: number; entities: EntityId[] }
  | { kind: "call"; entity: EntityId; op: string; input?: unknown; transactionId?: number }
  | { kind: "signal"; entity: EntityId; op: string; input?: unknown }
  | { kind: "endTransaction"; lockTaskId: number; entities: EntityId[]; commit: boolean }
  | { kind: "event"; name: string }
  | { kind: "sub"; name: string; input: unknown; instanceId: string };

/** What a yield returns: one entry per awaited request (lock, call, event), in order, with its task id. */
export type Res = { taskId: number; result: TaskResult };

export type Script<I> = (input: I) => Generator<Req[], unknown, Res[]>;

const awaited = (r: Req) => r.kind === "lock" || r.kind === "call" || r.kind === "event" || r.kind === "sub";

interface GenFrame {
  input: unknown;
  history: Res[][];
  waiting: number[];
  got: Record<string, TaskResult>;
  nextTask: number;
}

export function genMachine<I>(name: string, script: Script<I>): Machine {
  function run(frame: GenFrame) {
    const gen = script(frame.input as I);
    let taskId = 1;
    let next = gen.next();
    for (const results of frame.history) {
      if (next.done) break;
      for (const r of next.value) if (awaited(r)) taskId++;
      next = gen.next(results);
    }
    return { next, taskId };
  }
  function advance(frame: GenFrame): { commands: any[]; outcome: any } {
    let out;
    try {
      out = run(frame);
    } catch (error) {
      return { commands: [], outcome: { kind: "failed", error: toInfo(error) } };
    }
    const { next } = out;
    let taskId = out.taskId;
    if (next.done) return { commands: [], outcome: { kind: "completed", output: next.value } };
    const commands: any[] = [];
    frame.waiting = [];
    for (const r of next.value) {
      switch (r.kind) {
        case "lock": commands.push({ kind: "lock", taskId, entities: r.entities }); frame.waiting.push(taskId++); break;
        case "call": commands.push({ kind: "callEntity", taskId, entity: r.entity, op: r.op, input: r.input, transactionId: r.transactionId }); frame.waiting.push(taskId++); break;
        case "event": commands.push({ kind: "waitEvent", taskId, name: r.name }); frame.waiting.push(taskId++); break;
        case "sub": commands.push({ kind: "subOrchestration", taskId, name: r.name, input: r.input, instanceId: r.instanceId }); frame.waiting.push(taskId++); break;
        case "unlock": commands.push({ kind: "unlock", lockTaskId: r.lockTaskId, entities: r.entities }); break;
        case "signal": commands.push({ kind: "signalEntity", entity: r.entity, op: r.op, input: r.input }); break;
        case "endTransaction": commands.push({ kind: "endTransaction", lockTaskId: r.lockTaskId, entities: r.entities, commit: r.commit }); break;
      }
    }
    if (frame.waiting.length === 0) {
      frame.history.push([]);
      const rest = advance(frame);
      return { commands: [...commands, ...rest.commands], outcome: rest.outcome };
    }
    return { commands, outcome: { kind: "running" } };
  }
  return {
    name,
    version: `gen-${name}`,
    graph: { states: [{ id: "start", label: "start" }, { id: "end", label: "end" }], transitions: [] },
    init(input: unknown, _env: StepEnv) {
      return { input, history: [], waiting: [], got: {}, nextTask: 1, started: false };
    },
    step(frameIn: unknown, wakes: readonly Wake[]) {
      const frame = structuredClone(frameIn) as GenFrame & { started: boolean };
      if (!frame.started) {
        frame.started = true;
        const r = advance(frame);
        return { frame, ...r };
      }
      for (const w of wakes) frame.got[w.taskId] = w.result;
      if (!frame.waiting.every((t) => frame.got[t] !== undefined)) return { frame, commands: [], outcome: { kind: "running" } };
      frame.history.push(frame.waiting.map((t) => ({ taskId: t, result: frame.got[t] })));
      for (const t of frame.waiting) delete frame.got[t];
      const r = advance(frame);
      return { frame, ...r };
    },
  };
}

function toInfo(error: unknown): ErrorInfo {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: "Error", message: String(error) };
}

export function genOrchestration<I>(name: string, script: Script<I>): Orchestration<I, any> {
  return orchestration(name, genMachine(name, script));
}

/** The value of a result, or throw its error (as a compiled `await` would). */
export function value(r: Res): any {
  if (r.result.ok) return r.result.value;
  const e = new Error(r.result.error.message);
  e.name = r.result.error.name;
  throw e;
}
