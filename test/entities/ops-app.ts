/**
 * Entities and orchestrations for the entity operation tests: a `Probe` entity
 * that records the inputs it receives in order, throws on request, deletes its
 * state, signals another entity and starts an orchestration.
 */
import { entity } from "../../runtime/api.ts";
import { genOrchestration, value } from "./gen-machine.ts";

export interface ProbeState {
  seen: unknown[];
  counter: number;
}

export const done = genOrchestration("probeDone", function* (input: { from: string }) {
  return `started by ${input.from}`;
});

export const probe = entity("Probe", {
  init: (): ProbeState => ({ seen: [], counter: 0 }),
  ops: {
    append: (s: ProbeState, x: unknown) => {
      s.seen.push(x);
      return s.seen.length;
    },
    get: (s: ProbeState) => s,
    /** Changes the state, then throws: the change must not survive. */
    failAfterWrite: (s: ProbeState, message: string) => {
      s.counter += 1000;
      s.seen.push("must not stay");
      throw new TypeError(message);
    },
    increment: (s: ProbeState) => ++s.counter,
    remove: (_s: ProbeState, _x: undefined, ectx) => {
      ectx.deleteState();
      return "deleted";
    },
    forward: (s: ProbeState, input: { to: string; values: unknown[] }, ectx) => {
      for (const v of input.values) ectx.signal(probe, input.to).append(v);
      s.counter += 1;
    },
    /** Signals, then throws: the signal must not be sent. */
    forwardThenFail: (_s: ProbeState, input: { to: string }, ectx) => {
      ectx.signal(probe, input.to).append("must not arrive");
      throw new Error("forwardThenFail");
    },
    startDone: (s: ProbeState, instanceId: string, ectx) => {
      s.counter += 1;
      return ectx.start(done, { from: ectx.id.key }, { instanceId });
    },
  },
});

/** Signals `count` appends in order to one probe. */
export const signalMany = genOrchestration("signalMany", function* (input: { key: string; count: number; tag: string }) {
  yield Array.from({ length: input.count }, (_, i) => ({ kind: "signal" as const, entity: probe.id(input.key), op: "append", input: `${input.tag}${i}` }));
  return input.count;
});

/** Calls appends one after the other, then reads the state. */
export const callMany = genOrchestration("callMany", function* (input: { key: string; count: number; tag: string }) {
  for (let i = 0; i < input.count; i++) value((yield [{ kind: "call", entity: probe.id(input.key), op: "append", input: `${input.tag}${i}` }])[0]);
  return value((yield [{ kind: "call", entity: probe.id(input.key), op: "get" }])[0]);
});

/** Calls an operation that throws; returns the error as the orchestration saw it, and the state after. */
export const callFailing = genOrchestration("callFailing", function* (key: string) {
  value((yield [{ kind: "call", entity: probe.id(key), op: "increment" }])[0]);
  const [failed] = yield [{ kind: "call", entity: probe.id(key), op: "failAfterWrite", input: "bad input 42" }];
  const caught = failed.result.ok ? undefined : { name: failed.result.error.name, message: failed.result.error.message };
  const after = value((yield [{ kind: "call", entity: probe.id(key), op: "get" }])[0]);
  return { caught, after };
});

/** Holds a lock on one probe until event "go", appends "holder" under the lock, then releases. */
export const holdProbe = genOrchestration("holdProbe", function* (key: string) {
  const [g] = yield [{ kind: "lock", entities: [probe.id(key)] }];
  value(g);
  yield [{ kind: "event", name: "go" }];
  value((yield [{ kind: "call", entity: probe.id(key), op: "append", input: "holder" }])[0]);
  yield [{ kind: "unlock", lockTaskId: g.taskId, entities: [probe.id(key)] }];
  return "done";
});

export const app = [probe, done, signalMany, callMany, callFailing, holdProbe];
