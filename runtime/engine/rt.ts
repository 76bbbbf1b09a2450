/**
 * `__nwc_rt`: what compiled step functions call besides ctx: the Promise
 * combinators over durable tasks, compiled async closures, `await using`
 * disposal and iteration of non-array iterables (iteration.ts: a lazy view
 * within a step, a cursor of plain data across awaits).
 *
 * Invariant: every method works on the current step's frame only and returns
 * frame-storable values (task handles, arrays) or a closure that is used
 * within the step that created it.
 */
import { currentRun, setClosureTagReader, setRtFactory, type StepRun } from "./run.ts";
import { TaskRef } from "./values.ts";
import { READ_AGAIN, savedCallee } from "./callee.ts";
import { checkedRead, checkedWrite, UNINITIALIZED } from "./tdz.ts";
import { awaitingPatternItems, closeLazy, lazyView, pullItems, takeItems, liveCursor, nextLive, deleteLive, notIterable, type LiveCursor } from "./iteration.ts";

export class Delegate {
  constructor(readonly key: string, readonly chain: number[], readonly args: unknown[]) {}
}

export interface ClosureTag {
  key: string;
  chain: number[];
}

const CLOSURE_TAG = Symbol("nwc.closure");

export function closureTag(fn: unknown): ClosureTag | undefined {
  return typeof fn === "function" ? (fn as any)[CLOSURE_TAG] : undefined;
}

const asyncDispose: symbol = (Symbol as any).asyncDispose ?? Symbol.for("Symbol.asyncDispose");
const syncDispose: symbol = (Symbol as any).dispose ?? Symbol.for("Symbol.dispose");
export { asyncDispose, syncDispose };

const SUPPRESSED_MESSAGE = "An error was suppressed during disposal";

export function makeSuppressedError(error: unknown, suppressed: unknown): Error {
  const Native = (globalThis as any).SuppressedError;
  if (typeof Native === "function") return new Native(error, suppressed, SUPPRESSED_MESSAGE);
  const e = new Error(SUPPRESSED_MESSAGE) as Error & { error: unknown; suppressed: unknown };
  e.name = "SuppressedError";
  e.error = error;
  e.suppressed = suppressed;
  return e;
}

/** The function value of a compiled async closure; its tag is what a frame stores (host-values.ts). */
export function makeClosure(key: string, chain: number[]): (...args: unknown[]) => TaskRef {
  const fn = (...args: unknown[]) => currentRun("a compiled async function").startBranch(key, chain, args);
  Object.defineProperty(fn, CLOSURE_TAG, { value: { key, chain } satisfies ClosureTag });
  return fn;
}

/**
 * One per step run (cached below). A class, not an object of arrow functions: compiled code
 * only calls its methods (`__nwc_rt.all(xs)`), and a step should not pay for building ten
 * closures before it runs a line of the orchestration.
 */
class RtImpl {
  constructor(private readonly run: StepRun) {}
  all(xs: unknown) {
    return this.run.combinator("all", xs);
  }
  race(xs: unknown) {
    return this.run.combinator("race", xs);
  }
  any(xs: unknown) {
    return this.run.combinator("any", xs);
  }
  allSettled(xs: unknown) {
    return this.run.combinator("allSettled", xs);
  }
  resolve(v: unknown) {
    return v instanceof TaskRef ? v : this.run.settled(true, v);
  }
  reject(e: unknown) {
    return this.run.settled(false, e);
  }
  /** A compiled async closure: calling it starts a branch whose scope chain continues `scopes`. */
  closure(key: string, scopes: object[]) {
    const chain = scopes.map((s) => {
      const id = this.run.scopeIds.get(s);
      if (id === undefined) throw new Error("nwc engine: closure over a scope that is not in the frame (compiler bug)");
      return id;
    });
    return makeClosure(key, chain);
  }
  /**
   * The scope chain of one call of a sync per-iteration loop body (`_loop_N`) whose
   * block-scoped bindings async closures capture: `scopes` plus a new frame scope.
   */
  scope(scopes: object[], scope: Record<string, unknown>): object[] {
    this.run.addScope(scope);
    return [...scopes, scope];
  }
  /** `yield*` of a per-iteration loop body: consumed at once by the branch runner (run.ts). */
  delegate(key: string, scopes: object[], args: unknown[]) {
    return new Delegate(key, scopes.map((s) => this.run.scopeIds.get(s)!), args);
  }
  /** `await using x` / `using x` at the end of its scope. */
  dispose(value: unknown, isAsync: boolean): unknown {
    if (value === null || value === undefined) return undefined;
    const method = (isAsync ? (value as any)[asyncDispose] ?? (value as any)[syncDispose] : (value as any)[syncDispose]);
    if (typeof method !== "function") {
      throw new TypeError(`a value declared with ${isAsync ? "await using" : "using"} has no [Symbol.${isAsync ? "asyncDispose" : "dispose"}] method`);
    }
    const r = method.call(value);
    return isAsync ? r : undefined;
  }
  /**
   * The error of a `using` scope whose disposal threw (`error`) after the scope itself threw
   * (`suppressed`): a SuppressedError, or where there is none an Error shaped like one, as
   * the TypeScript/esbuild downlevel helpers build it (so the plain async run and the machine agree).
   */
  suppressed(error: unknown, suppressed: unknown): Error {
    return makeSuppressedError(error, suppressed);
  }
  /** `a ** b`: the operator itself (TypeScript's ES5 lowering would call Math.pow, which throws on BigInt). */
  pow(a: any, b: any): any {
    return a ** b;
  }
  /** for...of without an await in its body, and array destructuring, of a non-array (iteration.ts). */
  lazy(value: unknown): unknown {
    return lazyView(value);
  }
  /** Array destructuring of a non-array: the `count` items the pattern reads (iteration.ts). */
  take(value: unknown, count: number): unknown {
    return takeItems(value, count);
  }
  /** Array destructuring whose elements run code between the reads: items pulled as they are read (iteration.ts). */
  pull(value: unknown, count: number): unknown {
    return pullItems(value, count);
  }
  /** The target of the element `pull` adds past a pattern's end: reading it closed the iterator; the value is dropped. */
  set closed(_value: unknown) {}
  /** The end of a for...of over a lazy view: closes the iterator if the loop left it early. */
  close(view: unknown, thrown: boolean): void {
    closeLazy(view, thrown);
  }
  /** for...of with an await in its body, of a non-array: a cursor of plain data, kept in the frame. */
  live(value: unknown): LiveCursor {
    return liveCursor(value);
  }
  next(cursor: LiveCursor): boolean {
    return nextLive(cursor);
  }
  /** `s.delete(k)` (or `s.clear()` with no key) inside a live loop over `s`. */
  deleted(cursor: LiveCursor, collection: any, ...key: unknown[]): unknown {
    return deleteLive(cursor, collection, key);
  }
  /** A callee read before awaited arguments, as kept in the frame (callee.ts). */
  callee(fn: unknown): unknown {
    return savedCallee(fn);
  }
  get readAgain(): object {
    return READ_AGAIN;
  }
  /** The value of a `let`/`const` in its temporal dead zone (tdz.ts). */
  get tdz(): object {
    return UNINITIALIZED;
  }
  read(value: unknown, name: string): unknown {
    return checkedRead(value, name);
  }
  write(old: unknown, value: unknown, name: string): unknown {
    return checkedWrite(old, value, name);
  }
  /** Spread and array destructuring of a non-array across an await: iterate it now, into an array. */
  iter(value: unknown): unknown {
    if (Array.isArray(value)) return value;
    if (value == null || typeof (value as any)[Symbol.iterator] !== "function") throw notIterable(value);
    return Array.from(value as Iterable<unknown>);
  }
  /** Array destructuring with an await in its pattern: the items must be read between awaits (iteration.ts). */
  awaitingPattern(value: unknown): unknown {
    return awaitingPatternItems(value);
  }
}

export type Rt = RtImpl;

setClosureTagReader(closureTag);
setRtFactory((run) => new RtImpl(run));

/** Calls a compiled helper (`async function h(ctx: OrchestrationContext, ...)`) from compiled code. */
export function callCompiled(key: string, args: ArrayLike<unknown>): TaskRef {
  return currentRun("a compiled ctx helper").startBranch(key, [], Array.from(args));
}
