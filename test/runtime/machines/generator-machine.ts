/**
 * Hand-written machines for runtime tests: a generator function driven by
 * replay turns into a `Machine` (runtime/machine.ts), with no compiler.
 * `yield ctx.call(...)` waits for a task; `yield ctx.all([...])`, `race`,
 * `any`, `allSettled` combine tasks. The frame keeps the results received
 * (in arrival order), the number of commands already issued and the time of
 * each segment, so replaying the generator from the start is deterministic
 * and re-issues nothing.
 *
 * This is a test double of the compiled machines (which resume from a frame
 * without replay); it honours the same contract: pure step, deterministic
 * task ids, commands issued once.
 */
import { errorFromInfo, errorInfo } from "../../../runtime/codec.ts";
import { orchestration, type Orchestration } from "../../../runtime/api.ts";
import type { Command, EntityId, Machine, Outcome, RetryPolicy, StepEnv, TaskResult, Wake } from "../../../runtime/machine.ts";

type Desc =
  | { t: "task"; id: number }
  | { t: "all" | "race" | "any" | "allSettled"; items: Desc[] };

interface GenFrame {
  input: unknown;
  results: Record<string, TaskResult>;
  order: number[];
  issued: number;
  segTimes: number[];
  version: string;
}

export interface GenCtx {
  readonly instanceId: string;
  now(): number;
  random(): number;
  call(activity: string | { name: string }, input?: unknown, options?: { retry?: RetryPolicy }): Desc;
  callSub(orchestration: string | { name: string }, input?: unknown, options?: { instanceId?: string }): Desc;
  sleep(ms: number): Desc;
  waitForEvent(name: string): Desc;
  entity(entity: string | { name: string }, key: string, op: string, input?: unknown): Desc;
  signal(entity: string | { name: string }, key: string, op: string, input?: unknown): void;
  setStatus(value: unknown): void;
  all(items: Desc[]): Desc;
  race(items: Desc[]): Desc;
  any(items: Desc[]): Desc;
  allSettled(items: Desc[]): Desc;
  continueAsNew(input: unknown): never;
  /** Issues any command (tests of unsupported commands). */
  raw(command: (taskId: number) => Command): Desc;
}

class ContinueAsNew {
  constructor(readonly input: unknown) {}
}

type Resolution = { state: "pending" } | { state: "done"; result: TaskResult; at: number };

export type GenFn = (ctx: GenCtx, input: any) => Generator<Desc, unknown, any>;

export function genMachine(name: string, fn: GenFn, version = "gen-1"): Machine {
  return {
    name,
    version,
    graph: { states: [{ id: "start", label: "start" }, { id: "end", label: "end" }], transitions: [{ from: "start", to: "end" }] },
    init(input: unknown): GenFrame {
      return { input, results: {}, order: [], issued: 0, segTimes: [], version };
    },
    position(frame: unknown): string[] {
      const f = frame as GenFrame;
      return [`segment ${f.segTimes.length}`];
    },
    step(frame0: unknown, wakes: readonly Wake[], env: StepEnv) {
      const frame = clone(frame0) as GenFrame;
      for (const w of wakes) {
        if (frame.results[w.taskId] !== undefined) continue;
        frame.results[w.taskId] = w.result;
        frame.order.push(w.taskId);
      }
      const commands: Command[] = [];
      let nextTask = 1;
      let cmdIndex = 0;
      let seg = 0;
      let randomCounter = 0;
      const emit = (c: Command) => {
        if (cmdIndex >= frame.issued) commands.push(c);
        cmdIndex++;
      };
      const segTime = () => (frame.segTimes[seg] ??= env.nowMs);
      const task = (make: (id: number) => Command): Desc => {
        const id = nextTask++;
        emit(make(id));
        return { t: "task", id };
      };
      const ctx: GenCtx = {
        instanceId: env.instanceId,
        now: segTime,
        random() {
          let h = 2166136261 ^ randomCounter++;
          for (const ch of env.instanceId + ":" + randomCounter) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
          return ((h >>> 0) % 1_000_000) / 1_000_000;
        },
        call: (a, input, options) =>
          task((taskId) => ({ kind: "activity", taskId, name: typeof a === "string" ? a : a.name, input, ...(options?.retry ? { retry: options.retry } : {}) })),
        callSub: (o, input, options) =>
          task((taskId) => ({ kind: "subOrchestration", taskId, name: typeof o === "string" ? o : o.name, input, instanceId: options?.instanceId ?? `${env.instanceId}:${taskId}` })),
        sleep: (ms) => task((taskId) => ({ kind: "timer", taskId, fireAtMs: segTime() + ms })),
        waitForEvent: (name) => task((taskId) => ({ kind: "waitEvent", taskId, name })),
        entity: (e, key, op, input) =>
          task((taskId) => ({ kind: "callEntity", taskId, entity: { name: typeof e === "string" ? e : e.name, key } as EntityId, op, input })),
        signal: (e, key, op, input) => emit({ kind: "signalEntity", entity: { name: typeof e === "string" ? e : e.name, key }, op, input }),
        setStatus: (value) => emit({ kind: "setStatus", value }),
        all: (items) => ({ t: "all", items }),
        race: (items) => ({ t: "race", items }),
        any: (items) => ({ t: "any", items }),
        allSettled: (items) => ({ t: "allSettled", items }),
        continueAsNew: (input) => {
          throw new ContinueAsNew(input);
        },
        raw: (make) => task(make),
      };
      const resolve = (d: Desc): Resolution => {
        if (d.t === "task") {
          const r = frame.results[d.id];
          return r === undefined ? { state: "pending" } : { state: "done", result: r, at: frame.order.indexOf(d.id) };
        }
        const rs = d.items.map(resolve);
        const done = rs.filter((r): r is Extract<Resolution, { state: "done" }> => r.state === "done");
        const latest = done.reduce((m, r) => Math.max(m, r.at), -1);
        const earliest = [...done].sort((a, b) => a.at - b.at);
        switch (d.t) {
          case "all": {
            const failed = earliest.find((r) => !r.result.ok);
            if (failed) return failed;
            if (done.length < rs.length) return { state: "pending" };
            return { state: "done", at: latest, result: { ok: true, value: done.map((r) => (r.result as { value: unknown }).value) } };
          }
          case "race":
            return earliest[0] ?? { state: "pending" };
          case "any": {
            const ok = earliest.find((r) => r.result.ok);
            if (ok) return ok;
            if (done.length < rs.length) return { state: "pending" };
            return { state: "done", at: latest, result: { ok: false, error: { name: "AggregateError", message: "All promises were rejected" } } };
          }
          case "allSettled": {
            if (done.length < rs.length) return { state: "pending" };
            const value = done.map((r) => (r.result.ok ? { status: "fulfilled", value: r.result.value } : { status: "rejected", reason: errorFromInfo(r.result.error) }));
            return { state: "done", at: latest, result: { ok: true, value } };
          }
        }
      };
      let outcome: Outcome = { kind: "running" };
      try {
        segTime();
        const g = fn(ctx, frame.input);
        let next = g.next();
        for (;;) {
          if (next.done) {
            outcome = { kind: "completed", output: next.value };
            break;
          }
          const r = resolve(next.value);
          if (r.state === "pending") break;
          seg++;
          segTime();
          next = r.result.ok ? g.next(r.result.value) : g.throw(errorFromInfo(r.result.error));
        }
      } catch (error) {
        outcome = error instanceof ContinueAsNew ? { kind: "continuedAsNew", input: error.input } : { kind: "failed", error: errorInfo(error) };
      }
      frame.issued = cmdIndex;
      return { frame, commands, outcome };
    },
  };
}

/** Deep copy of plain data (frames are plain data; the runtime decoded this one for us). */
function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = clone(x);
    return out;
  }
  return v;
}

export function genOrchestration(name: string, fn: GenFn, version?: string): Orchestration {
  return orchestration(name, genMachine(name, fn, version));
}
