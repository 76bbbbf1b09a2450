/**
 * The author API: `orchestration`, `activity`, `entity` and the types of the
 * orchestration context. These are definitions only (plain data and functions);
 * the compiler recognises them through the type checker and the runtime runs them.
 *
 * An orchestration written as an `async` function is compiled by `nwc build`
 * (or `node --import nwc/register`) into a `Machine` (runtime/machine.ts); the
 * compiler rewrites the second argument of `orchestration(...)` into the compiled
 * machine. A host refuses an orchestration that was not compiled, with a message
 * that says how to compile it.
 */
import { isMachine, type EntityId, type Machine, type RetryPolicy } from "./machine.ts";

export type { EntityId, RetryPolicy } from "./machine.ts";
// A codec for a class lets its instances live in frames (the serializability check,
// NWC2001, accepts them); part of the author API, so in-memory compiles see it too.
export { registerClass } from "./codec.ts";
export type { ClassCodec } from "./codec.ts";

/**
 * A durable task: what every `ctx` call returns. Await it, or combine tasks with
 * `Promise.all`, `Promise.race`, `Promise.any` and `Promise.allSettled`.
 * It is typed as a Promise so ordinary TypeScript accepts those combinators.
 */
export interface Task<T> extends Promise<T> {
  readonly __nwcTask?: true;
  /** A durable task too; the callbacks must be written inline (`t.then((v) => ...)`), as the compiler turns them into a branch. */
  then<R1 = T, R2 = never>(onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null): Task<R1 | R2>;
  catch<R = never>(onrejected?: ((reason: any) => R | PromiseLike<R>) | null): Task<T | R>;
  finally(onfinally?: (() => void) | null): Task<T>;
}

export interface ActivityOptions {
  retry?: RetryPolicy;
}

export interface Activity<I = any, O = any> {
  readonly kind: "activity";
  readonly name: string;
  readonly fn: (input: I, actx: ActivityContext) => O | Promise<O>;
  readonly options: ActivityOptions;
}

/** Passed to activity functions: they may do any I/O. */
export interface ActivityContext {
  instanceId: string;
  /** 1 for the first attempt; higher on retries and on re-execution after a crash. */
  attempt: number;
}

export type OrchestrationFunction<I, O, Events extends object = {}> = (ctx: OrchestrationContext<Events>, input: I) => Promise<O>;

/**
 * `Events` maps the names of the external events the orchestration waits for
 * to their data: declared on its context (`ctx: OrchestrationContext<{
 * approval: Decision }>`), it types `ctx.waitForEvent` and the `raise` of
 * the client's handles. Optional: `{}` means any event.
 */
export interface Orchestration<I = any, O = any, Events extends object = {}> {
  readonly kind: "orchestration";
  readonly name: string;
  /** The source function (used uncompiled only by reference runs in tests). */
  readonly fn?: OrchestrationFunction<I, O, any>;
  /** The compiled machine, present once the compiler has rewritten the definition. */
  readonly machine?: Machine;
  /** "auto": waiting instances of older versions move to this one when they next step, where they can (docs/runtime.md "Upgrading instances"). */
  readonly upgrade?: "auto";
  /** Phantom, for typing `ctx.callSub` and `client.start`. */
  readonly __types?: { input: I; output: O };
  /** Phantom, for typing the `raise` of client handles. */
  readonly __events?: Events;
}

/** Context passed to entity operations. */
export interface EntityContext {
  readonly id: EntityId;
  /** Fire-and-forget operation on another entity. */
  signal<E extends Entity<any, any>>(entity: E, key: string): SignalProxy<EntityOpsOf<E>>;
  /** Start an orchestration; returns its instance id. */
  start<I>(orchestration: Orchestration<I, any>, input: I, options?: { instanceId?: string }): string;
  /** Delete this entity's state once the operation returns; `readEntity` then gives `undefined`. */
  deleteState(): void;
}

export type EntityOp<S> = (state: S, input: any, ectx: EntityContext) => any;
export type EntityOps<S> = Record<string, EntityOp<S>>;

export interface EntityDefinition<S, Ops extends EntityOps<S>> {
  init: () => S;
  ops: Ops;
}

export interface Entity<S = any, Ops extends EntityOps<S> = EntityOps<S>> {
  readonly kind: "entity";
  readonly name: string;
  readonly init: () => S;
  readonly ops: Ops;
  /** Names one entity instance, for `ctx.lock` and `ctx.transaction`. */
  id(key: string): EntityId;
}

export type EntityOpsOf<E> = E extends Entity<any, infer Ops> ? Ops : never;

/** The input arguments of an entity operation `(state, input?) => ...`: `[]`, `[input?: I]` or `[input: I]`. */
export type OpInput<F> = F extends (state: any, ...rest: infer R) => any
  ? R extends [] ? [] : R extends [infer I, ...any[]] ? (undefined extends I ? [input?: I] : [input: I]) : []
  : never;

/** `ctx.entity(e, key).op(input)`: call, awaited for the operation's result. */
export type EntityProxy<Ops> = {
  [K in keyof Ops]: (...input: OpInput<Ops[K]>) => Task<Awaited<ReturnType<Extract<Ops[K], (...a: any) => any>>>>;
};

/** `ctx.signal(e, key).op(input)`: fire and forget. */
export type SignalProxy<Ops> = {
  [K in keyof Ops]: (...input: OpInput<Ops[K]>) => void;
};

/** Held locks; released at the end of the `await using` scope. */
export interface CriticalSection extends AsyncDisposable {
  readonly entities: readonly EntityId[];
}

/** Inside `ctx.transaction`: operations on the held entities, staged until the function returns. */
export interface TransactionContext {
  entity<E extends Entity<any, any>>(entity: E, key: string): EntityProxy<EntityOpsOf<E>>;
}

/** Steps with compensations, run in reverse order on failure. */
export interface Saga {
  /** Run `action`; remember `compensation` to undo it if a later step fails. */
  step<I, O>(action: Activity<I, O>, input: I, compensation?: Activity<any, any>, compensationInput?: unknown): Task<O>;
  /** Run the compensations of the completed steps in reverse order. */
  compensate(): Task<SagaCompensationReport>;
}

export interface SagaCompensationReport {
  compensated: string[];
  failed: { step: string; error: { name: string; message: string } }[];
}

export interface OrchestrationContext<Events extends object = {}> {
  readonly instanceId: string;
  call<I, O>(activity: Activity<I, O>, input: I, options?: ActivityOptions): Task<Awaited<O>>;
  callSub<I, O>(orchestration: Orchestration<I, O>, input: I, options?: { instanceId?: string }): Task<O>;
  sleep(ms: number): Task<void>;
  sleepUntil(epochMs: number): Task<void>;
  /** An event the orchestration declares in its `Events` map, typed by it. */
  waitForEvent<K extends keyof Events & string>(name: K): Task<Events[K]>;
  waitForEvent<T = unknown>(name: string): Task<T>;
  /** Deterministic time: the time of the current step. */
  now(): number;
  /** Deterministic randomness in [0, 1), seeded per instance and kept in the frame. */
  random(): number;
  /** Deterministic RFC 4122 v4-shaped id from `random()`. */
  uuid(): string;
  setStatus(value: unknown): void;
  /** `return ctx.continueAsNew(input)`: end this execution and start the instance afresh. */
  continueAsNew(input: unknown): never;
  entity<E extends Entity<any, any>>(entity: E, key: string): EntityProxy<EntityOpsOf<E>>;
  signal<E extends Entity<any, any>>(entity: E, key: string): SignalProxy<EntityOpsOf<E>>;
  lock(...entities: EntityId[]): Task<CriticalSection>;
  transaction<R>(entities: EntityId[], body: (tx: TransactionContext) => Promise<R>): Task<R>;
  saga(): Saga;
}

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;

function assertName(what: string, name: unknown): asserts name is string {
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    throw new TypeError(
      `${what} name ${JSON.stringify(name)} is invalid: use 1-128 characters, letters, digits, '_', '.', ':' or '-', starting with a letter or '_'`,
    );
  }
}

export function activity<I, O>(
  name: string,
  fn: (input: I, actx: ActivityContext) => O | Promise<O>,
  options: ActivityOptions = {},
): Activity<I, Awaited<O>> {
  assertName("activity", name);
  if (typeof fn !== "function") throw new TypeError(`activity "${name}": the second argument must be a function`);
  const retry = options.retry;
  if (retry && !(Number.isInteger(retry.maxAttempts) && retry.maxAttempts >= 1 && retry.backoffMs >= 0)) {
    throw new TypeError(`activity "${name}": retry needs maxAttempts >= 1 (an integer) and backoffMs >= 0`);
  }
  return Object.freeze({ kind: "activity", name, fn: fn as any, options }) as Activity<I, Awaited<O>>;
}

/**
 * Defines an orchestration. Before compilation `body` is the async function;
 * after, the compiler has replaced it with the compiled `Machine`.
 */
export interface OrchestrationOptions {
  /**
   * "auto": when a host runs this version and an older one, instances waiting
   * on the older one move to this one as they next step, if the compiler can
   * prove the move (else they stay). Default: only `client.upgrade` / `nwc upgrade` move them.
   */
  upgrade?: "auto" | "manual";
}

export function orchestration<I, O, Events extends object = {}>(name: string, body: OrchestrationFunction<I, O, Events> | Machine, options: OrchestrationOptions = {}): Orchestration<I, O, Events> {
  assertName("orchestration", name);
  if (typeof options !== "object" || options === null || (options.upgrade !== undefined && options.upgrade !== "auto" && options.upgrade !== "manual")) {
    throw new TypeError(`orchestration "${name}": options.upgrade must be "auto" or "manual" (got ${JSON.stringify((options as OrchestrationOptions | null)?.upgrade)})`);
  }
  const upgrade = options.upgrade === "auto" ? { upgrade: "auto" as const } : {};
  if (isMachine(body)) return Object.freeze({ kind: "orchestration", name, machine: body, ...upgrade });
  if (typeof body !== "function") {
    throw new TypeError(`orchestration "${name}": the second argument must be an async function (ctx, input) => ...`);
  }
  return Object.freeze({ kind: "orchestration", name, fn: body, ...upgrade });
}

export function entity<S, Ops extends EntityOps<S>>(name: string, definition: EntityDefinition<S, Ops>): Entity<S, Ops> {
  assertName("entity", name);
  if (typeof definition?.init !== "function" || typeof definition.ops !== "object" || definition.ops === null) {
    throw new TypeError(`entity "${name}": expected { init: () => state, ops: { name: (state, input, ectx) => result } }`);
  }
  for (const [op, fn] of Object.entries(definition.ops)) {
    if (typeof fn !== "function") throw new TypeError(`entity "${name}": operation "${op}" must be a function`);
  }
  return Object.freeze({
    kind: "entity",
    name,
    init: definition.init,
    ops: definition.ops,
    id: (key: string): EntityId => {
      if (typeof key !== "string" || key.length === 0) {
        throw new TypeError(`entity "${name}": a key must be a non-empty string`);
      }
      return { name, key };
    },
  });
}
