/**
 * One step of a compiled machine: applies wakes, then runs branches in
 * JavaScript's microtask order until every branch waits or the orchestration
 * ends.
 *
 * Ordering model (what makes the compiled program observe the same order of
 * effects as the original async code): settling a task queues one job per
 * reaction, in registration order; awaiting an already-settled task or a plain
 * value queues the continuation behind the jobs already queued (one tick, as
 * `await` does); calling a compiled async function runs it synchronously up to
 * its first await; a branch returning a task subscribes to it one job later and
 * settles one job after the task does (two jobs in all when the task has settled).
 *
 * Invariant: the job queue is empty when a step returns, so it never needs to
 * be persisted; everything else lives in the frame.
 */
import { errorInfo } from "../codec.ts";
import { Budget, withBudget } from "./budget.ts";
import { DEFAULT_STEP_BUDGET, type Command, type Outcome, type StepEnv, type TaskId } from "../machine.ts";
import type { FrameData, TaskRec, Waiter, CombinatorKind } from "./frame.ts";
import { newGenState, resume, Thrown, type Op } from "./generator.ts";
import { SmallSet } from "./small-set.ts";
import { lookup } from "./registry.ts";
import { ContinueAsNew, TaskRef } from "./values.ts";

type Job =
  | { k: "b"; id: number; op: Op }
  | { k: "c"; id: number; i: number; ok: boolean; v: unknown }
  | { k: "a"; id: number; ok: boolean; v: unknown }
  | { k: "t"; id: number; task: TaskRef };

/** Bound on jobs per step: a step that runs this many continuations is looping without awaiting a durable task. */
const MAX_JOBS_PER_STEP = 1_000_000;

let current: StepRun | undefined;

export function currentRun(what: string): StepRun {
  if (!current) {
    throw new Error(`${what} was used outside a running orchestration step; ctx and tasks only work inside compiled orchestration code`);
  }
  return current;
}

export class StepRun {
  readonly commands: Command[] = [];
  private queue: Job[] = [];
  private head = 0;
  private jobs = 0;
  /** Scope object -> id, made on first use (`scopeIds`). */
  private scopeIdMap: Map<object, number> | undefined;
  /** Loop iterations and calls this step may run (budget.ts); counted while `within` runs. */
  readonly budget: Budget;
  /** The `__nwc_rt` of this run (rt.ts), made on first use. A field, not a WeakMap entry: a weak table entry per step makes every scavenge slower. */
  rt: unknown;

  constructor(readonly f: FrameData, readonly env: StepEnv, readonly ctx: unknown) {
    this.budget = new Budget(env.stepBudget ?? DEFAULT_STEP_BUDGET);
  }

  /** The id of each scope object of the frame, for closures and delegated loop bodies (rt.ts): built on first use, as most steps make neither. */
  get scopeIds(): Map<object, number> {
    if (this.scopeIdMap === undefined) {
      const ids = new Map<object, number>();
      for (const id in this.f.scopes) ids.set(this.f.scopes[id]!, Number(id));
      this.scopeIdMap = ids;
    }
    return this.scopeIdMap;
  }

  get ended(): boolean {
    return this.f.outcome !== undefined;
  }

  /** Runs `fn` with this run as the current one (reentrant for nested machines in tests). */
  within<T>(fn: () => T): T {
    const saved = current;
    current = this;
    try {
      return withBudget(this.budget, fn);
    } finally {
      current = saved;
    }
  }

  newTask(rec: TaskRec): TaskId {
    const id = this.f.next++;
    this.f.tasks[id] = rec;
    return id;
  }

  /** Issues an awaited command: a pending task whose wake the runtime will deliver. */
  issue(make: (taskId: TaskId) => Command, lock?: TaskRec["lock"]): TaskRef {
    const id = this.newTask(lock ? { s: 0, lock } : { s: 0 });
    this.commands.push(make(id));
    return new TaskRef(id);
  }

  settled(ok: boolean, v: unknown): TaskRef {
    return new TaskRef(this.newTask({ s: ok ? 1 : 2, v }));
  }

  settle(id: TaskId, ok: boolean, v: unknown): void {
    const t = this.f.tasks[id];
    if (!t || t.s !== 0) return; // settled already: a duplicate wake, or a lost race
    const waiters = t.w ?? [];
    // Deleted before `v` is added: deleting the last property added keeps the record a fast object
    // (deleting an earlier one turns it into a dictionary, an allocation and a slower encode).
    delete t.w;
    delete t.c;
    t.s = ok ? 1 : 2;
    t.v = v;
    if (id === this.f.root) {
      this.finish(ok, v);
      return;
    }
    for (const w of waiters) this.react(w, ok, v);
  }

  private react(w: Waiter, ok: boolean, v: unknown): void {
    if (w[0] === 0) this.queue.push({ k: "b", id: w[1], op: [ok ? 0 : 1, v] });
    else if (w[0] === 1) this.queue.push({ k: "c", id: w[1], i: w[2], ok, v });
    else this.queue.push({ k: "a", id: w[1], ok, v });
  }

  /** Registers `w` on `value`: a task (now, or when it settles) or a plain value (next tick). */
  private subscribe(value: unknown, w: Waiter): void {
    if (value instanceof TaskRef) {
      const t = this.f.tasks[value.id];
      if (!t) throw new Error(`nwc engine: task ${value.id} is not in the frame (a task handle outlived its instance?)`);
      if (t.s === 0) (t.w ??= []).push(w);
      else this.react(w, t.s === 1, t.v);
    } else if (isThenable(value)) {
      this.react(w, false, new TypeError(
        "an orchestration awaited a promise that is not a durable task; await only ctx calls, compiled helpers and Promise.all/race/any/allSettled of them",
      ));
    } else {
      this.react(w, true, value);
    }
  }

  private finish(ok: boolean, v: unknown): void {
    let outcome: Outcome;
    if (ok && v instanceof ContinueAsNew) outcome = { kind: "continuedAsNew", input: v.input };
    else if (ok) outcome = { kind: "completed", output: v };
    else outcome = { kind: "failed", error: errorInfo(v) };
    // The jobs already queued still run, as JavaScript runs the microtasks queued before an
    // async function's promise settled: a branch may still issue commands in this step.
    this.f.outcome = outcome;
  }

  /** Puts `scope` into the frame's scope table; returns its id. */
  addScope(scope: Record<string, unknown>): number {
    const sid = this.f.nextScope++;
    this.f.scopes[sid] = scope;
    this.scopeIdMap?.set(scope, sid);
    return sid;
  }

  /** Calls a compiled async function: a new branch, run synchronously to its first await. */
  startBranch(fnKey: string, chain: number[], args: unknown[]): TaskRef {
    const fn = lookup(fnKey);
    const id = this.newTask({ s: 0 });
    const scope: Record<string, unknown> = {};
    fn.params.forEach((p, i) => (scope[p] = args[i]));
    const sid = this.addScope(scope);
    this.f.branches[id] = { fn: fnKey, sc: [...chain, sid], g: newGenState() };
    if (fn.pre) {
      try {
        fn.pre(this.scopesOf([...chain, sid]), rtFor(this), args);
      } catch (e) {
        delete this.f.branches[id];
        this.settle(id, false, e);
        return new TaskRef(id);
      }
    }
    this.runBranch(id, [0, undefined]);
    return new TaskRef(id);
  }

  startRoot(fnKey: string, args: unknown[]): void {
    this.f.started = true;
    this.f.root = this.f.next; // the root branch's completion task is the next id
    this.startBranch(fnKey, [], args);
  }

  scopesOf(chain: number[]): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = new Array(chain.length);
    for (let i = 0; i < chain.length; i++) {
      const s = this.f.scopes[chain[i]!];
      if (!s) throw new Error(`nwc engine: scope ${chain[i]} is missing from the frame (corrupt frame)`);
      out[i] = s;
    }
    return out;
  }

  private runBranch(id: number, input: Op): void {
    const b = this.f.branches[id];
    if (!b) return; // the branch already ended
    let op = input;
    let r;
    for (;;) {
      const fn = lookup(b.fn);
      try {
        r = resume(fn.body, b.g, this.scopesOf(b.sc), rtFor(this), op);
      } catch (e) {
        if (!(e instanceof Thrown)) throw e;
        if (b.d?.length) {
          // A delegated loop body threw: it propagates at the outer activation's yield*.
          Object.assign(b, b.d.pop()!);
          if (b.d!.length === 0) delete b.d;
          op = [1, e.value];
          continue;
        }
        delete this.f.branches[id];
        this.settle(id, false, e.value);
        return;
      }
      if (!r.done && r.delegate) {
        const d = r.value as { key: string; chain: number[]; args: unknown[] };
        const inner = lookup(d.key);
        const scope: Record<string, unknown> = {};
        inner.params.forEach((p, i) => (scope[p] = d.args[i]));
        const sid = this.addScope(scope);
        (b.d ??= []).push({ fn: b.fn, sc: b.sc, g: b.g });
        b.fn = d.key;
        b.sc = [...d.chain, sid];
        b.g = newGenState();
        if (inner.pre) inner.pre(this.scopesOf(b.sc), rtFor(this), d.args);
        op = [0, undefined];
        continue;
      }
      if (r.done && b.d?.length) {
        Object.assign(b, b.d.pop()!);
        if (b.d!.length === 0) delete b.d;
        op = [0, r.value];
        continue;
      }
      break;
    }
    if (!r.done) {
      const [line, awaited] = r.value as [number, unknown];
      b.at = line;
      this.subscribe(awaited, [0, id]);
      return;
    }
    delete this.f.branches[id];
    // Resolving an async function's promise with a thenable queues a job that calls its
    // `then` (PromiseResolveThenableJob); the reaction is a second job, as in JavaScript.
    if (r.value instanceof TaskRef) this.queue.push({ k: "t", id, task: r.value });
    else this.settle(id, true, r.value);
  }

  /** Runs queued jobs until the queue is empty (also after the orchestration ended: see finish). */
  drain(): void {
    while (this.head < this.queue.length) {
      if (++this.jobs > MAX_JOBS_PER_STEP) {
        throw new Error(`an orchestration step ran more than ${MAX_JOBS_PER_STEP} continuations without waiting for a durable task (an endless loop of awaits on settled values?)`);
      }
      const job = this.queue[this.head++]!;
      if (job.k === "b") this.runBranch(job.id, job.op);
      else if (job.k === "a") this.settle(job.id, job.ok, job.v);
      else if (job.k === "t") this.subscribe(job.task, [2, job.id]);
      else this.combine(job.id, job.i, job.ok, job.v);
    }
    this.queue = [];
    this.head = 0;
  }

  combinator(kind: CombinatorKind, iterable: unknown): TaskRef {
    if (iterable == null || typeof (iterable as any)[Symbol.iterator] !== "function") {
      return this.settled(false, new TypeError(`Promise.${kind} expects an iterable (an array of tasks)`));
    }
    const items = Array.from(iterable as Iterable<unknown>);
    if (items.length === 0) {
      if (kind === "all" || kind === "allSettled") return this.settled(true, []);
      if (kind === "any") return this.settled(false, new AggregateError([], "All promises were rejected"));
    }
    const id = this.newTask({ s: 0, c: { k: kind, left: items.length, vals: new Array(items.length).fill(undefined) } });
    items.forEach((item, i) => this.subscribe(item, [1, id, i]));
    return new TaskRef(id);
  }

  private combine(id: number, i: number, ok: boolean, v: unknown): void {
    const t = this.f.tasks[id];
    if (!t || t.s !== 0 || !t.c) return;
    const c = t.c;
    switch (c.k) {
      case "race":
        return this.settle(id, ok, v);
      case "all":
        if (!ok) return this.settle(id, false, v);
        c.vals[i] = v;
        if (--c.left === 0) this.settle(id, true, c.vals);
        return;
      case "allSettled":
        c.vals[i] = ok ? { status: "fulfilled", value: v } : { status: "rejected", reason: v };
        if (--c.left === 0) this.settle(id, true, c.vals);
        return;
      case "any":
        if (ok) return this.settle(id, true, v);
        c.vals[i] = v;
        if (--c.left === 0) this.settle(id, false, new AggregateError(c.vals, "All promises were rejected"));
        return;
    }
  }

  /** Drops settled tasks no live value refers to and scopes no branch reaches: the frame stays O(live state). */
  collect(): void {
    // Runs after every step: loops and no closures (each closure costs an allocation per step),
    // and the tables of the last run, cleared (a nested run, in tests, makes its own).
    const tables = collectTables.busy ? newCollectTables() : collectTables;
    tables.busy = true;
    try {
      this.collectWith(tables);
    } finally {
      tables.liveScopes.clear();
      tables.marked.clear();
      tables.visited.clear();
      tables.work.length = 0;
      tables.settled.length = 0;
      tables.busy = false;
    }
  }

  private collectWith({ liveScopes, marked, visited, work, settled }: CollectTables): void {
    const f = this.f;
    // Object.keys, not for...in: the tables are keyed by integers, which for...in lists more slowly.
    const branchIds = Object.keys(f.branches);
    for (let i = 0; i < branchIds.length; i++) {
      const b = f.branches[branchIds[i]!]!;
      markScopes(b.sc, liveScopes, f, work);
      work.push(b.g.ops);
      if (b.d) {
        for (const outer of b.d) {
          markScopes(outer.sc, liveScopes, f, work);
          work.push(outer.g.ops);
        }
      }
    }
    // Pending tasks are live; settled ones are live only if a live value refers to them, found below.
    const taskIds = Object.keys(f.tasks);
    for (let i = 0; i < taskIds.length; i++) {
      const id = Number(taskIds[i]);
      if (f.tasks[id]!.s === 0) markTask(id, marked, f, work);
      else settled.push(id);
    }
    // Iterative, each object once: shared structure (a DAG, parent pointers, cycles) and any depth cost one visit per object.
    while (work.length > 0) {
      const v = work.pop();
      if (typeof v === "function") {
        const tag = closureTagOf(v);
        if (tag) markScopes(tag.chain, liveScopes, f, work);
        continue;
      }
      if (v === null || typeof v !== "object" || visited.has(v)) continue;
      visited.add(v);
      if (v instanceof TaskRef) markTask(v.id, marked, f, work);
      else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) work.push(v[i]);
      else if (v instanceof Map) for (const [k, x] of v) work.push(k, x);
      else if (v instanceof Set) for (const x of v) work.push(x);
      else {
        for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) work.push((v as any)[k]);
        // An error's cause and AggregateError's errors are hidden own properties, and may hold task handles.
        if (v instanceof Error) for (const k of HIDDEN_ERROR_FIELDS) if (Object.prototype.hasOwnProperty.call(v, k)) work.push((v as any)[k]);
      }
    }
    const scopeIds = Object.keys(f.scopes);
    for (let i = 0; i < scopeIds.length; i++) if (!liveScopes.has(Number(scopeIds[i]))) delete f.scopes[scopeIds[i]!];
    for (let i = 0; i < settled.length; i++) if (!marked.has(settled[i]!)) delete f.tasks[settled[i]!];
  }
}

interface CollectTables {
  liveScopes: SmallSet<number>;
  marked: SmallSet<number>;
  visited: SmallSet<object>;
  work: unknown[];
  /** Ids of the settled tasks: the only ones that may be dropped. */
  settled: number[];
  busy: boolean;
}

function newCollectTables(): CollectTables {
  return { liveScopes: new SmallSet(), marked: new SmallSet(), visited: new SmallSet(), work: [], settled: [], busy: false };
}

const collectTables = newCollectTables();

/** Marks the scopes of a chain live, queueing each one's locals the first time (collect). */
function markScopes(chain: number[], live: SmallSet<number>, f: FrameData, work: unknown[]): void {
  for (let i = 0; i < chain.length; i++) {
    const s = chain[i]!;
    if (live.has(s)) continue;
    live.add(s);
    work.push(f.scopes[s]);
  }
}

/** Marks a task live, queueing the values it holds the first time (collect). */
function markTask(id: number, marked: SmallSet<number>, f: FrameData, work: unknown[]): void {
  if (marked.has(id)) return;
  marked.add(id);
  const t = f.tasks[id];
  if (t) work.push(t.s === 0 ? t.c?.vals : t.v);
}

function isThenable(v: unknown): boolean {
  return (typeof v === "object" || typeof v === "function") && v !== null && typeof (v as any).then === "function";
}

// Bound late to avoid an import cycle (rt.ts imports this file).
const HIDDEN_ERROR_FIELDS = ["cause", "errors", "error", "suppressed"];

let closureTagOf: (fn: unknown) => { chain: number[] } | undefined = () => undefined;
export function setClosureTagReader(f: typeof closureTagOf): void {
  closureTagOf = f;
}
let rtFactory: ((run: StepRun) => unknown) | undefined;
export function setRtFactory(f: (run: StepRun) => unknown): void {
  rtFactory = f;
}
function rtFor(run: StepRun): unknown {
  return (run.rt ??= rtFactory!(run));
}
