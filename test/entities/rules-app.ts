/**
 * Orchestrations that break the rules of critical sections in ways only the
 * runtime can see (the entity keys come from the input), for
 * test/entities/rules-runtime.test.ts.
 */
import { entity, orchestration, type OrchestrationContext } from "nwc";

export const box = entity("Box", {
  init: () => ({ n: 0 }),
  ops: {
    get: (s: { n: number }) => s.n,
    add: (s: { n: number }, d: number) => {
      s.n += d;
      return s.n;
    },
  },
});

/** Locks `held`, then calls `target`: a violation when target is not among held. */
export const callOutside = orchestration("callOutside", async (ctx, input: { held: string[]; target: string }) => {
  await using _cs = await ctx.lock(...input.held.map((k) => box.id(k)));
  return await ctx.entity(box, input.target).add(1);
});

/** Locks `held`, then signals `target`: a violation when target is among held. */
export const signalInside = orchestration("signalInside", async (ctx, input: { held: string[]; target: string }) => {
  await using _cs = await ctx.lock(...input.held.map((k) => box.id(k)));
  ctx.signal(box, input.target).add(1);
  return "signalled";
});

async function lockAndRead(ctx: OrchestrationContext, key: string): Promise<number> {
  await using _inner = await ctx.lock(box.id(key));
  return await ctx.entity(box, key).get();
}

/** A helper that locks, called inside a critical section: nesting. */
export const nested = orchestration("nested", async (ctx, input: { outer: string; inner: string }) => {
  await using _outer = await ctx.lock(box.id(input.outer));
  return await lockAndRead(ctx, input.inner);
});

/** Locks with the keys of the input (possibly none). */
export const lockKeys = orchestration("lockKeys", async (ctx, keys: string[]) => {
  await using _cs = await ctx.lock(...keys.map((k) => box.id(k)));
  return keys.length;
});

/** Holds a lock until an event arrives: for termination while holding. */
export const holdUntilEvent = orchestration("holdUntilEvent", async (ctx, keys: string[]) => {
  await using _cs = await ctx.lock(...keys.map((k) => box.id(k)));
  await ctx.waitForEvent("go");
  return "released";
});

/** Locks, then fails inside the section. */
export const failInside = orchestration("failInside", async (ctx, keys: string[]) => {
  await using _cs = await ctx.lock(...keys.map((k) => box.id(k)));
  await ctx.entity(box, keys[0]).add(1);
  throw new Error("failed inside the critical section");
});

/** Adds 1 to each key under a lock: used to show that the locks were released. */
export const addAll = orchestration("addAll", async (ctx, keys: string[]) => {
  await using _cs = await ctx.lock(...keys.map((k) => box.id(k)));
  await Promise.all(keys.map((k) => ctx.entity(box, k).add(1)));
  return keys.length;
});

export const app = [box, callOutside, signalInside, nested, lockKeys, holdUntilEvent, failInside, addAll];
