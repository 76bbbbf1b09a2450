// Differential test programs: try/catch/finally, throw, errors through every construct.
import { orchestration } from "nwc";
import { boom, double, echo, fail, failIf } from "./acts.ts";

export const tryCatch = orchestration("tryCatch", async (ctx, x: number) => {
  try {
    await ctx.call(fail, "first " + x);
    return "unreachable";
  } catch (e) {
    return "caught " + (e as Error).message + " " + (await ctx.call(double, x));
  }
});

export const tryFinallyReturn = orchestration("tryFinallyReturn", async (ctx, x: number) => {
  const log: unknown[] = [];
  const r = await (async () => {
    try {
      log.push(await ctx.call(double, x));
      return "from try";
    } finally {
      log.push(await ctx.call(echo, "finally"));
    }
  })();
  return [r, log];
});

export const throwThroughFinally = orchestration("throwThroughFinally", async (ctx, x: number) => {
  const log: string[] = [];
  try {
    try {
      await ctx.call(double, x);
      throw new TypeError("inner " + x);
    } finally {
      log.push(await ctx.call(echo, "f1"));
    }
  } catch (e) {
    log.push((e as Error).name + ":" + (e as Error).message);
  } finally {
    log.push(await ctx.call(echo, "f2"));
  }
  return log;
});

export const nestedRethrow = orchestration("nestedRethrow", async (ctx, x: number) => {
  try {
    try {
      await ctx.call(boom, "b" + x);
    } catch (e) {
      await ctx.call(echo, (e as Error).name);
      throw e;
    }
  } catch (e2) {
    return "outer " + (e2 as Error).name + " " + (e2 as Error).message;
  }
  return "no";
});

export const uncaught = orchestration("uncaught", async (ctx, x: number) => {
  try {
    await ctx.call(boom, "custom " + x);
  } finally {
    await ctx.call(echo, "cleanup");
  }
});

export const throwString = orchestration("throwString", async (ctx, x: number) => {
  try {
    await ctx.call(echo, x);
    throw "plain string";
  } catch (e) {
    return typeof e + ":" + String(e);
  }
});

export const returnInLoopFinally = orchestration("returnInLoopFinally", async (ctx, xs: number[]) => {
  const log: unknown[] = [];
  for (const x of xs) {
    try {
      if (x === 2) return { log, at: x };
      log.push(await ctx.call(double, x));
    } finally {
      log.push("f" + (await ctx.call(echo, x)));
    }
  }
  return { log };
});

export const breakThroughFinally = orchestration("breakThroughFinally", async (ctx, n: number) => {
  const log: unknown[] = [];
  for (let i = 0; i < n; i++) {
    try {
      if (i === 1) continue;
      if (i === 3) break;
      log.push(await ctx.call(double, i));
    } finally {
      log.push("f" + i);
      await ctx.call(echo, i);
    }
  }
  return log;
});

export const catchAwaitsEverywhere = orchestration("catchAwaitsEverywhere", async (ctx, xs: number[]) => {
  const out: unknown[] = [];
  for (const v of xs) {
    try {
      out.push(await ctx.call(failIf, { v, bad: 2 }));
    } catch (e) {
      out.push((e as Error).name, await ctx.call(echo, (e as Error).message));
      if (v === 2 && xs.length > 3) throw new Error("giving up at " + v);
    }
  }
  return out;
});

export const finallyOverridesReturn = orchestration("finallyOverridesReturn", async (ctx, x: number) => {
  const f = async () => {
    try {
      await ctx.call(double, x);
      return "try";
    } finally {
      if (x > 1) return "finally " + (await ctx.call(echo, x));
    }
  };
  return await f();
});

export const errorInAll = orchestration("errorInAll", async (ctx, xs: number[]) => {
  try {
    return await Promise.all(xs.map((v) => ctx.call(failIf, { v, bad: 3 })));
  } catch (e) {
    return "all failed: " + (e as Error).message;
  }
});

/** An AggregateError from Promise.any and an error with a cause, both kept across awaits (through the frame). */
export const errorDetailsAcrossAwaits = orchestration("errorDetailsAcrossAwaits", async (ctx, x: number) => {
  let any: AggregateError | undefined;
  try {
    await Promise.any([ctx.call(failIf, { v: x, bad: x }), ctx.call(failIf, { v: x + 1, bad: x + 1 })]);
  } catch (e) {
    any = e as AggregateError;
  }
  const wrapped = new Error("step failed", { cause: any!.errors[0] });
  await ctx.call(echo, "between");
  await ctx.sleep(1);
  return [any instanceof AggregateError, any!.message, any!.errors.map((e: Error) => e.message), Object.keys(any!),
    (wrapped.cause as Error).message, Object.keys(wrapped)];
});

export const inputs: Record<string, unknown[]> = {
  errorDetailsAcrossAwaits: [1],
  tryCatch: [4], tryFinallyReturn: [3], throwThroughFinally: [2], nestedRethrow: [1], uncaught: [5], throwString: [1],
  returnInLoopFinally: [[1, 2, 3], [1, 3]], breakThroughFinally: [5], catchAwaitsEverywhere: [[1, 2, 3], [1, 2, 3, 4]],
  finallyOverridesReturn: [1, 2], errorInAll: [[1, 2], [1, 3, 4]],
};
