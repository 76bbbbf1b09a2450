/**
 * Entities and orchestrations for the entity operation tests: a `Probe` entity
 * that records the inputs it receives in order, throws on request, deletes its
 * state, signals another entity and starts an orchestration.
 */
import { entity, orchestration } from "nwc";

export interface ProbeState {
  seen: unknown[];
  counter: number;
}

export const done = orchestration("probeDone", async (ctx, input: { from: string }) => {
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
export const signalMany = orchestration("signalMany", async (ctx, input: { key: string; count: number; tag: string }) => {
  for (let i = 0; i < input.count; i++) ctx.signal(probe, input.key).append(`${input.tag}${i}`);
  return input.count;
});

/** Calls appends one after the other, then reads the state. */
export const callMany = orchestration("callMany", async (ctx, input: { key: string; count: number; tag: string }) => {
  for (let i = 0; i < input.count; i++) await ctx.entity(probe, input.key).append(`${input.tag}${i}`);
  return await ctx.entity(probe, input.key).get();
});

/** Calls an operation that throws; returns the error as the orchestration saw it, and the state after. */
export const callFailing = orchestration("callFailing", async (ctx, key: string) => {
  await ctx.entity(probe, key).increment();
  let caught: { name: string; message: string } | undefined;
  try {
    await ctx.entity(probe, key).failAfterWrite("bad input 42");
  } catch (error) {
    caught = { name: (error as Error).name, message: (error as Error).message };
  }
  const after = await ctx.entity(probe, key).get();
  return { caught, after };
});

export const app = [probe, done, signalMany, callMany, callFailing];
