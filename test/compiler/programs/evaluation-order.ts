// Differential test programs: evaluation order the lowering must keep. A `let` or
// `const` used by a function before its declaration ran throws a ReferenceError (the
// temporal dead zone), also from a hoisted function declaration, in each iteration of a
// loop, for reads, writes and updates; and a call reads its callee (and its receiver)
// before evaluating its arguments, even when those arguments await and reassign it.
import { orchestration } from "nwc";
import { echo } from "./acts.ts";

export const tdzInClosure = orchestration("tdzInClosure", async (ctx, n: number) => {
  const out: unknown[] = [];
  const early = async () => later + 1;
  try {
    out.push(await early());
  } catch (e) {
    out.push((e as Error).name);
  }
  const later = await ctx.call(echo, n);
  out.push(await early());
  const bump = async () => {
    try {
      counter += 1;
      return counter;
    } catch (e) {
      return (e as Error).message;
    }
  };
  out.push(await bump(), hoisted());
  let counter = await ctx.call(echo, 10);
  out.push(await bump(), hoisted());
  function hoisted() {
    try {
      return counter++;
    } catch (e) {
      return (e as Error).name;
    }
  }
  for (let i = 0; i < 2; i++) {
    const peek = async () => v;
    try {
      out.push(await peek());
    } catch (e) {
      out.push((e as Error).name);
    }
    let v = i + (await ctx.call(echo, i));
    out.push(await peek());
  }
  return out;
});

export const calleeBeforeArgs = orchestration("calleeBeforeArgs", async (ctx, n: number) => {
  const a = async (x: number, y: number) => `a${x},${y}`;
  const b = async (x: number, y: number) => `b${x},${y}`;
  let f = a;
  const r1 = f(await ctx.call(echo, n), (f = b, 1));
  const o = { m: a };
  const r2 = o.m(await ctx.call(echo, n), (o.m = b, 2));
  const r3 = await o.m(await ctx.call(echo, n), (o.m = a, 3));
  let out = [0];
  out.push(await ctx.call(echo, n), ((out = [9]), 3));
  return [await r1, await r2, r3, out, await f(0, 0), await o.m(0, 0)];
});

export const calleeChangedByBranch = orchestration("calleeChangedByBranch", async (ctx, n: number) => {
  const a = async (x: number) => `a${x}`;
  const b = async (x: number) => `b${x}`;
  let f = a;
  const o = { m: a };
  let out = [0];
  const other = (async () => {
    await ctx.call(echo, 0);
    f = b;
    o.m = b;
    out = [9];
  })();
  const r = await Promise.all([f(await ctx.call(echo, n)), o.m(await ctx.call(echo, n + 1))]);
  out.push(await ctx.call(echo, n + 2));
  await other;
  return [r, out];
});

// The same through a key that is awaited itself: the entry, and the table, a branch assigns
// while the arguments await do not change the call, which read them right after the key.
export const keyedCalleeChangedByBranch = orchestration("keyedCalleeChangedByBranch", async (ctx, n: number) => {
  const log: string[] = [];
  const a = async (x: number) => {
    log.push(`a${x}`);
  };
  const b = async (x: number) => {
    log.push(`b${x}`);
  };
  let table = { m: a };
  const holder = { t: { m: a } };
  const other = (async () => {
    await ctx.call(echo, 0);
    table.m = b;
    holder.t = { m: b };
    table = { m: b };
  })();
  void table[(await ctx.call(echo, "m")) as "m"](await ctx.call(echo, n));
  void holder.t[(await ctx.call(echo, "m")) as "m"](await ctx.call(echo, n + 1));
  await other;
  void table.m(n + 2);
  return [log, await ctx.call(echo, log.length)];
});

export const inputs = {
  keyedCalleeChangedByBranch: [5],
  calleeChangedByBranch: [5],
  tdzInClosure: [3],
  calleeBeforeArgs: [4],
};
