// Differential test programs: names that are not ordinary frame slots: catch variables
// captured by async closures, names of Object.prototype members, and names TypeScript
// uses for its own helpers.
import { orchestration } from "nwc";
import { echo, fail } from "./acts.ts";

export const catchCaptured = orchestration("catchCaptured", async (ctx, x: string) => {
  const out: unknown[] = [];
  try {
    throw new Error(x);
  } catch (e) {
    out.push(await (async () => (e as Error).message + (await ctx.call(echo, "!")))());
  }
  try {
    await ctx.call(fail, "f");
  } catch (e) {
    const later = (async () => (e as Error).message)();
    out.push(await ctx.call(echo, 1), await later);
  }
  const pending: Promise<string>[] = [];
  try {
    JSON.parse(x);
  } catch (e) {
    pending.push((async () => {
      await ctx.call(echo, 2);
      return (e as Error).name;
    })());
  }
  out.push(await Promise.all(pending));
  return out;
});

export const prototypeNames = orchestration("prototypeNames", async (ctx, x: number) => {
  let constructor: unknown;
  let toString: unknown;
  let hasOwnProperty: unknown;
  let valueOf = x;
  let __proto__: unknown = { a: 1 };
  const before = [typeof constructor, typeof toString, typeof hasOwnProperty];
  await ctx.call(echo, valueOf);
  constructor = await ctx.call(echo, "c");
  toString = 5;
  return [before, constructor, toString, hasOwnProperty === undefined, valueOf, __proto__];
});

export const loopNamedVariable = orchestration("loopNamedVariable", async (ctx, n: number) => {
  let _loop_1 = 10;
  const fs: Promise<number>[] = [];
  for (let i = 0; i < n; i++) fs.push((async () => i + _loop_1)());
  _loop_1 = await ctx.call(echo, 20);
  return [_loop_1, await Promise.all(fs)];
});

export const inputs = {
  catchCaptured: ["boom"],
  prototypeNames: [3],
  loopNamedVariable: [2],
};
