/**
 * The history tests' workload (compiled on load): `journey` calls an
 * activity that fails twice then succeeds (retried), one that always fails
 * (caught), sleeps, waits for an event and calls a child orchestration;
 * `looper` takes many steps, for the cap. Attempt counts live in a global
 * map, reset per key, so that this file needs no Node types.
 */
import { activity, orchestration } from "nwc";

const attempts = ((globalThis as { historyAttempts?: Map<string, number> }).historyAttempts ??= new Map());

export const flaky = activity("flaky", async (key: string) => {
  const n = (attempts.get(key) ?? 0) + 1;
  attempts.set(key, n);
  if (n < 3) throw new Error(`flaky attempt ${n} failed`);
  return `ok after ${n}`;
}, { retry: { maxAttempts: 3, backoffMs: 1 } });

export const broken = activity("broken", async (_: string) => {
  throw new TypeError("broken for good");
});

export const child = orchestration("child", async (ctx, n: number) => {
  return n * 2;
});

export const journey = orchestration("journey", async (ctx, key: string) => {
  const first = await ctx.call(flaky, key);
  let failure = "";
  try {
    await ctx.call(broken, key);
  } catch (e) {
    failure = (e as Error).message;
  }
  await ctx.sleep(5);
  const approval = await ctx.waitForEvent<string>("approval");
  const doubled = await ctx.callSub(child, 21, { instanceId: `${ctx.instanceId}-child` });
  return { first, failure, approval, doubled };
});

export const looper = orchestration("looper", async (ctx, n: number) => {
  let total = 0;
  for (let i = 0; i < n; i++) total += await ctx.call(one, i);
  return total;
});

export const one = activity("one", async (i: number) => i);

/** Returns its input: a large one makes a large status (input and output). */
export const echoInput = orchestration("echoInput", async (ctx, s: string) => {
  await ctx.call(one, 0);
  return s;
});

/** An input and a custom status of 200 KB each: a status over one DynamoDB item, written again at every step. */
export const bigStatus = orchestration("bigStatus", async (ctx, s: string) => {
  for (let i = 0; i < 3; i++) {
    ctx.setStatus(`${i}${s}`);
    await ctx.call(one, i);
  }
  return s.length;
});
