/**
 * The `ctx` compiled orchestrations receive, and the objects it hands out
 * (critical sections, sagas, transaction contexts, entity proxies). Each call
 * turns into a command of the current step and returns a task handle.
 *
 * Invariant: ctx holds no state of its own (it encodes to nothing): time is
 * `env.nowMs`, randomness the frame's generator, everything else the frame's
 * tables; so the ctx local of a restored frame behaves exactly as before.
 */
import { declareExactCodec, registerClass } from "../codec.ts";
import type { Activity, ActivityOptions, Entity, Orchestration } from "../api.ts";
import type { EntityId, RetryPolicy } from "../machine.ts";
import { nextRandom, seedFrom, uuidFrom } from "./prng.ts";
import { closureTag, asyncDispose } from "./rt.ts";
import { currentRun, type StepRun } from "./run.ts";
import { ContinueAsNew, SagaRef, TaskRef, TxContextRef } from "./values.ts";
import { dropEntry, tableOf } from "./frame.ts";
import { copyIds } from "./builtins.ts"; // also registers the built-in step functions

function activityName(a: unknown, what: string): { name: string; retry?: RetryPolicy } {
  const act = a as Activity;
  if (!act || act.kind !== "activity" || typeof act.name !== "string") {
    throw new TypeError(`${what}: expected an activity defined with activity(name, fn)`);
  }
  return { name: act.name, retry: act.options?.retry };
}

function assertEntityIds(ids: unknown[], what: string): EntityId[] {
  if (ids.length === 0) throw new TypeError(`${what}: name at least one entity, e.g. ${what}(account.id("a"))`);
  for (const id of ids) {
    const e = id as EntityId;
    if (!e || typeof e.name !== "string" || typeof e.key !== "string") {
      throw new TypeError(`${what}: expected entity ids made with entity.id(key), got ${JSON.stringify(id)}`);
    }
  }
  return (ids as EntityId[]).map((e) => ({ name: e.name, key: e.key }));
}

function entityOf(e: unknown, key: unknown, what: string): EntityId {
  const ent = e as Entity;
  if (!ent || ent.kind !== "entity") throw new TypeError(`${what}: expected an entity defined with entity(name, definition)`);
  if (typeof key !== "string" || key.length === 0) throw new TypeError(`${what}: the entity key must be a non-empty string`);
  return { name: ent.name, key };
}

/** The frame's random generator, seeded from the instance id at the first draw (frame.ts). */
function generator(run: StepRun): number[] {
  return (run.f.rng ??= seedFrom(run.env.instanceId));
}

function callProxy(entity: EntityId, transactionId?: number): any {
  return new Proxy({}, {
    get(_t, op) {
      if (typeof op !== "string") return undefined;
      return (input?: unknown) =>
        currentRun("ctx.entity").issue((taskId) => ({
          kind: "callEntity", taskId, entity, op, input, ...(transactionId !== undefined ? { transactionId } : {}),
        }));
    },
  });
}

export class CompiledContext {
  get instanceId(): string {
    return currentRun("ctx.instanceId").env.instanceId;
  }
  call(activity: Activity, input: unknown, options?: ActivityOptions): TaskRef {
    const { name, retry } = activityName(activity, "ctx.call");
    const policy = options?.retry ?? retry;
    return currentRun("ctx.call").issue((taskId) => ({ kind: "activity", taskId, name, input, ...(policy ? { retry: policy } : {}) }));
  }
  callSub(orch: Orchestration, input: unknown, options?: { instanceId?: string }): TaskRef {
    if (!orch || orch.kind !== "orchestration") throw new TypeError("ctx.callSub: expected an orchestration defined with orchestration(name, fn)");
    const run = currentRun("ctx.callSub");
    return run.issue((taskId) => ({
      kind: "subOrchestration", taskId, name: orch.name, input,
      instanceId: options?.instanceId ?? `${run.env.instanceId}:${taskId}`,
    }));
  }
  sleep(ms: number): TaskRef {
    if (typeof ms !== "number" || !(ms >= 0)) throw new TypeError(`ctx.sleep: expected a duration in ms >= 0, got ${String(ms)}`);
    const run = currentRun("ctx.sleep");
    return run.issue((taskId) => ({ kind: "timer", taskId, fireAtMs: run.env.nowMs + ms }));
  }
  sleepUntil(epochMs: number): TaskRef {
    if (typeof epochMs !== "number" || !Number.isFinite(epochMs)) throw new TypeError(`ctx.sleepUntil: expected a time in epoch ms, got ${String(epochMs)}`);
    return currentRun("ctx.sleepUntil").issue((taskId) => ({ kind: "timer", taskId, fireAtMs: epochMs }));
  }
  waitForEvent(name: string): TaskRef {
    if (typeof name !== "string" || name.length === 0) throw new TypeError("ctx.waitForEvent: expected an event name (a non-empty string)");
    return currentRun("ctx.waitForEvent").issue((taskId) => ({ kind: "waitEvent", taskId, name }));
  }
  now(): number {
    return currentRun("ctx.now").env.nowMs;
  }
  random(): number {
    return nextRandom(generator(currentRun("ctx.random")));
  }
  uuid(): string {
    const rng = generator(currentRun("ctx.uuid"));
    return uuidFrom(() => nextRandom(rng));
  }
  setStatus(value: unknown): void {
    const run = currentRun("ctx.setStatus");
    run.f.status = value;
    run.commands.push({ kind: "setStatus", value });
  }
  continueAsNew(input: unknown): never {
    return new ContinueAsNew(input) as never;
  }
  entity(e: Entity, key: string): any {
    return callProxy(entityOf(e, key, "ctx.entity"));
  }
  signal(e: Entity, key: string): any {
    const entity = entityOf(e, key, "ctx.signal");
    return new Proxy({}, {
      get(_t, op) {
        if (typeof op !== "string") return undefined;
        return (input?: unknown) => {
          currentRun("ctx.signal").commands.push({ kind: "signalEntity", entity, op, input });
        };
      },
    });
  }
  lock(...ids: EntityId[]): TaskRef {
    const entities = assertEntityIds(ids, "ctx.lock");
    const run = currentRun("ctx.lock");
    const t = run.issue((taskId) => ({ kind: "lock", taskId, entities }), entities);
    // A copy, not the same array: each record of the frame owns its lock set, so no change to
    // one can reach the other (and the encoded frame needs no reference between them).
    tableOf(run.f, "locks")[t.id] = copyIds(entities);
    return t;
  }
  transaction(ids: EntityId[], body: unknown): TaskRef {
    if (!Array.isArray(ids)) throw new TypeError("ctx.transaction: the first argument must be an array of entity ids");
    const entities = assertEntityIds(ids, "ctx.transaction");
    const tag = closureTag(body);
    if (!tag) {
      throw new TypeError("ctx.transaction: the body must be an async function written inline, e.g. ctx.transaction(ids, async (tx) => { ... })");
    }
    return currentRun("ctx.transaction").startBranch("nwc:transaction", [], [entities, tag]);
  }
  saga(): SagaRef {
    const run = currentRun("ctx.saga");
    const id = run.f.next++;
    tableOf(run.f, "sagas")[id] = [];
    return new SagaRef(id);
  }
}

/** A granted lock; disposing it (end of the `await using` scope) releases the entities. */
export class CriticalSectionImpl {
  constructor(readonly lockTaskId: number, readonly entities: EntityId[]) {}
  [asyncDispose](): TaskRef {
    const run = currentRun("releasing a critical section");
    if (run.f.locks?.[this.lockTaskId]) {
      dropEntry(run.f, "locks", this.lockTaskId);
      run.commands.push({ kind: "unlock", lockTaskId: this.lockTaskId, entities: this.entities });
    }
    return run.settled(true, undefined);
  }
}

(SagaRef.prototype as any).step = function (this: SagaRef, action: Activity, input: unknown, compensation?: Activity, compensationInput?: unknown): TaskRef {
  const run = currentRun("saga.step");
  const { name, retry } = activityName(action, "saga.step");
  const comp = compensation ? activityName(compensation, "saga.step (compensation)") : undefined;
  const task = run.issue((taskId) => ({ kind: "activity", taskId, name, input, ...(retry ? { retry } : {}) }));
  const record = comp ? { name: comp.name, input: compensationInput === undefined ? input : compensationInput, ...(comp.retry ? { retry: comp.retry } : {}) } : null;
  return run.startBranch("nwc:sagaStep", [], [this.id, task.id, record]);
};
(SagaRef.prototype as any).compensate = function (this: SagaRef): TaskRef {
  return currentRun("saga.compensate").startBranch("nwc:sagaCompensate", [], [this.id]);
};
(TxContextRef.prototype as any).entity = function (this: TxContextRef, e: Entity, key: string): any {
  const id = entityOf(e, key, "tx.entity");
  if (!this.entities.some((h) => h.name === id.name && h.key === id.key)) {
    throw new Error(`tx.entity: ${id.name}/${id.key} is not part of this transaction; list it in ctx.transaction([...])`);
  }
  return callProxy(id, this.lockTaskId);
};

registerClass({ name: "nwc.Context", ctor: CompiledContext, encode: () => 0, decode: () => theContext });
declareExactCodec("nwc.Context"); // one context object for every step: decoding gives that same object
registerClass({
  name: "nwc.CriticalSection",
  ctor: CriticalSectionImpl,
  encode: (c) => ({ l: c.lockTaskId, e: c.entities }),
  decode: (d: { l: number; e: EntityId[] }) => new CriticalSectionImpl(d.l, d.e),
});

export const theContext = new CompiledContext();
