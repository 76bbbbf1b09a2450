// Differential test programs: concurrent branches, combinators, helpers, tasks awaited later.
import { orchestration } from "nwc";
import { double, echo, failIf, sumAll, twice, isEven } from "./acts.ts";

export const asyncMap = orchestration("asyncMap", async (ctx, xs: number[]) => {
  return await Promise.all(xs.map(async (x, i) => {
    const a = await ctx.call(double, x);
    const b = await ctx.call(echo, a + i);
    return a + b;
  }));
});

export const race = orchestration("race", async (ctx, x: number) => {
  const winner = await Promise.race([ctx.call(double, x), ctx.call(echo, "other"), ctx.sleep(1000)]);
  return winner;
});

export const anyOf = orchestration("anyOf", async (ctx, xs: number[]) => {
  try {
    return await Promise.any(xs.map((v) => ctx.call(failIf, { v, bad: v > 2 ? v : -1 })));
  } catch (e) {
    return "all: " + (e as Error).name + " " + (e as Error).message;
  }
});

export const allSettled = orchestration("allSettled", async (ctx, xs: number[]) => {
  const rs = await Promise.allSettled(xs.map((v) => ctx.call(failIf, { v, bad: 2 })));
  return rs.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message));
});

export const helpers = orchestration("helpers", async (ctx, x: number) => {
  const a = await twice(ctx, x);
  const b = await sumAll(ctx, [1, 2]);
  return [a, b, await localHelper(ctx, "z")];
});

async function localHelper(c: import("nwc").OrchestrationContext, s: string): Promise<string> {
  const r = await c.call(echo, s + s);
  return r + "!";
}

async function fib(ctx: import("nwc").OrchestrationContext, n: number): Promise<number> {
  if (n < 2) return await ctx.call(echo, n);
  return (await fib(ctx, n - 1)) + (await fib(ctx, n - 2));
}

export const recursiveHelper = orchestration("recursiveHelper", async (ctx, n: number) => fib(ctx, n));

export const deferredAwait = orchestration("deferredAwait", async (ctx, x: number) => {
  const t1 = ctx.call(double, x);
  const t2 = ctx.call(double, x + 1);
  const mid = await ctx.call(echo, "mid");
  const b = await t2;
  const a = await t1;
  const again = await t1;
  return [mid, a, b, again];
});

export const tasksInLoop = orchestration("tasksInLoop", async (ctx, n: number) => {
  const tasks = [];
  for (let i = 0; i < n; i++) tasks.push(ctx.call(double, i));
  const first = await tasks[0]!;
  const rest = await Promise.all(tasks.slice(1));
  return [first, rest];
});

export const mixedAll = orchestration("mixedAll", async (ctx, x: number) => {
  return await Promise.all([ctx.call(double, x), ctx.call(echo, "s"), ctx.call(double, x + 1)]);
});

export const branchesLoop = orchestration("branchesLoop", async (ctx, n: number) => {
  const work = async (tag: string) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(tag + (await ctx.call(echo, tag + i)));
    return out;
  };
  return await Promise.all([work("a"), work("b"), work("c")]);
});

export const nestedAsync = orchestration("nestedAsync", async (ctx, xs: number[]) => {
  const outerFactor = await ctx.call(double, 1);
  return await Promise.all(xs.map(async (x) => {
    const inner = await Promise.all([x, x + 1].map(async (y) => (await ctx.call(double, y)) * outerFactor));
    return inner.reduce((a, b) => a + b, 0);
  }));
});

export const sharedMutation = orchestration("sharedMutation", async (ctx, xs: number[]) => {
  let total = 0;
  const seen: number[] = [];
  await Promise.all(xs.map(async (x) => {
    const v = await ctx.call(double, x);
    total += v;
    seen.push(v);
  }));
  return [total, seen];
});

export const raceTimerEvent = orchestration("raceTimerEvent", async (ctx, ms: number) => {
  const r = await Promise.race([ctx.waitForEvent<string>("go"), ctx.sleep(ms)]);
  return r ?? "timer";
});

export const raceSettledFirst = orchestration("raceSettledFirst", async (ctx, x: number) => {
  const a = ctx.call(double, x);
  await a;
  const r = await Promise.race([ctx.call(echo, "late"), a]);
  return r;
});

export const evenOdd = orchestration("evenOdd", async (ctx, xs: number[]) => {
  const parts = await Promise.all(xs.map(async (x) => ((await ctx.call(isEven, x)) ? "e" : "o") + x));
  return parts.join("");
});

export const returnTask = orchestration("returnTask", async (ctx, x: number) => {
  const inner = async () => ctx.call(double, x);
  const v = await inner();
  return ctx.call(double, v);
});

export const inputs: Record<string, unknown[]> = {
  asyncMap: [[1, 2, 3]], race: [4], anyOf: [[1, 2, 3], [3, 4]], allSettled: [[1, 2, 3]], helpers: [2], recursiveHelper: [4],
  deferredAwait: [1], tasksInLoop: [4], mixedAll: [3], branchesLoop: [2], nestedAsync: [[1, 2]], sharedMutation: [[1, 2, 3]],
  nestedAsyncDecl: [2], raceTimerEvent: [50], raceSettledFirst: [2], evenOdd: [[1, 2, 3, 4]], returnTask: [3],
};

export const nestedAsyncDecl = orchestration("nestedAsyncDecl", async (ctx, x: number) => {
  const early = await twiceLocal(x);
  async function twiceLocal(v: number): Promise<number> {
    return (await ctx.call(double, v)) + (v > 0 ? await twiceLocal(v - 1) : 0);
  }
  return [early, await twiceLocal(1)];
});
