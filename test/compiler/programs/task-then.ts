// Differential test programs: then/catch/finally on durable tasks, including the timeout
// idiom, chains, callbacks returning tasks, throwing callbacks, and branches racing them
// (the jobs each form takes to settle are observable).
import { orchestration } from "nwc";
import { echo, fail, double } from "./acts.ts";

export const timeoutIdiom = orchestration("timeoutIdiom", async (ctx, ms: number) => {
  const winner = await Promise.race([ctx.sleep(ms).then(() => "timeout"), ctx.waitForEvent("x")]);
  return winner;
});

export const thenChains = orchestration("thenChains", async (ctx, x: number) => {
  const a = await ctx.call(double, x).then((v) => v + 1).then((v) => `v=${v}`);
  const b = await ctx.call(fail, "no").then((v) => v * 2, (e) => `caught ${(e as Error).message}`);
  const c = await ctx.call(fail, "again").catch((e: Error) => e.message.length);
  const d = await ctx.call(echo, 3).then((v) => ctx.call(double, v));
  const e = await ctx.call(echo, 4).then(async (v) => (await ctx.call(double, v)) + 1);
  const f = await ctx.call(fail, "thrown").then(undefined, (e) => {
    throw new RangeError(`re-${(e as Error).message}`);
  }).catch((e: Error) => `${e.name}:${e.message}`);
  return [a, b, c, d, e, f];
});

export const finallyForms = orchestration("finallyForms", async (ctx, x: number) => {
  const log: unknown[] = [];
  log.push(await ctx.call(echo, x).finally(() => log.push("fin1")));
  try {
    await ctx.call(fail, "bad").finally(() => log.push("fin2"));
  } catch (e) {
    log.push((e as Error).message);
  }
  log.push(await ctx.call(echo, 5).finally(() => ctx.call(echo, "in-finally")));
  try {
    await ctx.call(echo, 6).finally(() => {
      throw new Error("from finally");
    });
  } catch (e) {
    log.push((e as Error).message);
  }
  return log;
});

/** A branch that awaits a settled task `hops` times races each form: who wins shows how many jobs each took. */
export const thenJobCounts = orchestration("thenJobCounts", async (ctx, hops: number) => {
  const settled = ctx.call(echo, "s");
  await settled;
  const hopper = async (name: string) => {
    for (let i = 0; i < hops; i++) await settled;
    return name;
  };
  const out: string[] = [];
  out.push(await Promise.race([settled.then(() => "then"), hopper("hop")]));
  out.push(await Promise.race([settled.then(() => settled), hopper("hop")]));
  out.push(await Promise.race([settled.catch(() => "caught"), hopper("hop")]));
  out.push(await Promise.race([settled.finally(() => 0), hopper("hop")]));
  out.push(await Promise.race([settled.finally(() => settled), hopper("hop")]));
  out.push(String(await Promise.race([ctx.call(fail, "f").finally(() => settled).catch(() => "failed"), ctx.call(echo, "e").then(() => hopper("hop2"))])));
  return out;
});

export const inputs = {
  timeoutIdiom: [10, 99999],
  thenChains: [2],
  finallyForms: [1],
  thenJobCounts: [0, 1, 2, 3, 4, 5],
};
