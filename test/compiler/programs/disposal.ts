// Differential test programs: `await using` / `using` disposal errors (SuppressedError chains).
import { orchestration, registerClass } from "nwc";
import { account } from "./features.ts";
import { double, echo, fail } from "./acts.ts";

/** A resource whose disposal throws when `fails` (synchronously; `await using` awaits it). */
class Res {
  constructor(readonly name: string, readonly fails: boolean) {}
  [Symbol.dispose](): void {
    if (this.fails) throw new RangeError("dispose " + this.name);
  }
}
// The differential test loads this module twice (source and compiled): one codec name per copy.
const copy = ((globalThis as { resCopies?: number }).resCopies = ((globalThis as { resCopies?: number }).resCopies ?? 0) + 1);
registerClass({ name: `test.Res#${copy}`, ctor: Res, encode: (r: Res) => [r.name, r.fails], decode: ([n, f]: [string, boolean]) => new Res(n, f) });

/** Everything observable about a thrown value, down the suppression chain. */
function describe(e: unknown): unknown {
  if (!(e instanceof Error)) return { thrown: e };
  const x = e as Error & { error?: unknown; suppressed?: unknown };
  return {
    name: x.name,
    message: x.message,
    keys: Object.keys(x),
    isError: x instanceof Error,
    ...("error" in x ? { error: describe(x.error) } : {}),
    ...("suppressed" in x ? { suppressed: describe(x.suppressed) } : {}),
  };
}

export const bodyAndDisposeThrow = orchestration("bodyAndDisposeThrow", async (ctx, x: number) => {
  try {
    await using _r = new Res("r" + x, true);
    await ctx.call(double, x);
    await ctx.call(fail, "body " + x);
    return "unreachable";
  } catch (e) {
    const after = await ctx.call(echo, "after"); // the SuppressedError itself crosses a step (the codec)
    return ["caught", after, describe(e)];
  }
});

export const disposeThrowsOnly = orchestration("disposeThrowsOnly", async (ctx, x: number) => {
  const log: unknown[] = [];
  try {
    await using _r = new Res("r" + x, true);
    log.push(await ctx.call(double, x));
    return log;
  } catch (e) {
    log.push(describe(e));
  }
  return log;
});

export const bodyThrowsDisposeOk = orchestration("bodyThrowsDisposeOk", async (ctx, k: string) => {
  try {
    await using _l = await ctx.lock(account.id(k));
    await using _r = new Res(k, false);
    await ctx.call(fail, "inside " + k);
    return "unreachable";
  } catch (e) {
    return describe(e);
  }
});

export const twoDisposalsThrow = orchestration("twoDisposalsThrow", async (ctx, bodyFails: boolean) => {
  try {
    await using a = new Res("a", true);
    await using b = new Res("b", true);
    await ctx.call(double, 1);
    if (bodyFails) await ctx.call(fail, "body");
    return [a.name, b.name];
  } catch (e) {
    return describe(e);
  }
});

export const oneStatementTwoResources = orchestration("oneStatementTwoResources", async (ctx, bodyFails: boolean) => {
  const log: unknown[] = [];
  try {
    await using _l = await ctx.lock(account.id("one")), a = new Res("a", true), b = new Res("b", false), c = new Res("c", true);
    log.push(await ctx.call(echo, a.name + b.name + c.name));
    if (bodyFails) throw new TypeError("body");
  } catch (e) {
    log.push(describe(e));
  }
  log.push(await ctx.call(echo, "end"));
  return log;
});

export const syncUsingChain = orchestration("syncUsingChain", async (ctx, x: number) => {
  const out: unknown[] = [];
  for (let i = 0; i < 2; i++) {
    try {
      using _a = new Res("a" + i, i === x);
      {
        using _b = new Res("b" + i, true);
        out.push(await ctx.call(double, i));
      }
    } catch (e) {
      out.push(describe(e));
    }
  }
  return out;
});

export const suppressedEscapes = orchestration("suppressedEscapes", async (ctx, x: number) => {
  await using _r = new Res("escape", true);
  await ctx.call(double, x);
  throw new Error("body " + x);
});

export const inputs: Record<string, unknown[]> = {
  bodyAndDisposeThrow: [3],
  disposeThrowsOnly: [4],
  bodyThrowsDisposeOk: ["k1"],
  twoDisposalsThrow: [true, false],
  oneStatementTwoResources: [true, false],
  syncUsingChain: [0, 1, 5],
  suppressedEscapes: [2],
};
