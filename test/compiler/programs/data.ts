// Differential test programs: expressions, destructuring, spread, closures, aliasing, data types across awaits.
import { orchestration } from "nwc";
import { add, double, echo, len } from "./acts.ts";

export const destructuring = orchestration("destructuring", async (ctx, o: { a: number; b: number[]; c?: string }) => {
  const { a, b: [first, ...rest], c = await ctx.call(echo, "dflt") } = o;
  const [x, y = await ctx.call(double, a)] = [await ctx.call(double, first!)];
  let p: number, q: number;
  [p, q] = [await ctx.call(double, 1), await ctx.call(double, 2)];
  ({ p, q } = { p: q, q: p });
  return { a, first, rest, c, x, y, p, q };
});

export const spread = orchestration("spread", async (ctx, xs: number[]) => {
  const arr = [...xs, await ctx.call(double, 5), ...(await ctx.call(echo, [7, 8]))];
  const obj = { ...{ k: 1 }, v: await ctx.call(double, 1), ...{ k: 2 } };
  const m = Math.max(...xs, await ctx.call(double, 100));
  const set = [...new Set(xs)];
  return { arr, obj, m, set };
});

const tag = (parts: TemplateStringsArray, ...vals: unknown[]) => parts.raw.join("|") + vals.join(",");

export const templates = orchestration("templates", async (ctx, name: string) => {
  const s = `hi ${await ctx.call(echo, name)} (${await ctx.call(len, name)}) ${name.toUpperCase()}`;
  const v = await ctx.call(double, 2);
  return [s, tag`a${1}b${v}c`];
});

export const syncClosures = orchestration("syncClosures", async (ctx, xs: number[]) => {
  const factor = await ctx.call(double, 1);
  const scaled = xs.map((x) => x * factor).filter((x) => x > 2);
  const total = scaled.reduce((a, b) => a + b, 0);
  function helper(v: number) {
    return v + factor;
  }
  return [scaled, total, helper(await ctx.call(echo, 10))];
});

export const compound = orchestration("compound", async (ctx, x: number) => {
  let a = x;
  a += await ctx.call(double, a);
  a *= (await ctx.call(echo, 2)) + a;
  const o = { n: 1 };
  o.n += await ctx.call(double, o.n);
  const arr = [1, 2];
  arr[await ctx.call(echo, 1)] = await ctx.call(double, 21);
  return [a, o, arr, (a++, await ctx.call(echo, a)), a ** 2];
});

export const evalOrder = orchestration("evalOrder", async (ctx, x: number) => {
  const log: string[] = [];
  const arr = [(log.push("a"), "a"), await ctx.call(echo, "b"), (log.push("c"), "c"), await ctx.call(echo, "d")];
  const obj = { [(log.push("k1"), "k1")]: await ctx.call(double, x), [await ctx.call(echo, "k2")]: (log.push("v2"), "v2") };
  log.push(await ctx.call(echo, "e"));
  return { arr, obj, log };
});

function minus(a: number, b: number) {
  return a - b;
}

export const methodArgs = orchestration("methodArgs", async (ctx, x: number) => {
  const out: number[] = [];
  out.push(await ctx.call(double, x), await ctx.call(double, x + 1));
  out.unshift(await ctx.call(double, 0));
  const s = new Set<number>();
  s.add(await ctx.call(double, 9));
  const m = new Map<string, number>();
  m.set("k", await ctx.call(double, 3));
  return [out, [...s], [...m], minus(await ctx.call(double, 10), await ctx.call(double, 1)), Math.min(await ctx.call(double, 4), 3)];
});

export const aliasing = orchestration("aliasing", async (ctx, x: number) => {
  const a: number[] = [];
  const b = a;
  const holder = { list: a, again: a };
  b.push(await ctx.call(double, x));
  holder.list.push(await ctx.call(double, x + 1));
  const cyc: any = { name: "c" };
  cyc.self = cyc;
  await ctx.call(echo, 0);
  return [a, b === a, holder.again === a, cyc.self === cyc, a.length];
});

/** Aliasing through the engine's own records: a task's result, a combinator's slots, a value returned through a finally. */
export const aliasingThroughTasks = orchestration("aliasingThroughTasks", async (ctx, x: number) => {
  const task = ctx.call(echo, [x]);
  const got: number[] = await task;
  got.push(await ctx.call(double, x));
  const again: number[] = await task;
  const both = Promise.all([ctx.call(echo, { n: x }), ctx.call(double, 1)]);
  const [o] = await both;
  await ctx.call(echo, "tick");
  const o2 = (await both)[0];
  o.n += 1;
  let carried: number[] = [];
  const viaFinally = await (async () => {
    try {
      carried = [x];
      return carried;
    } finally {
      await ctx.call(echo, "f");
    }
  })();
  carried.push(5);
  return [got, again === got, again.length, o2 === o, o2.n, viaFinally === carried, viaFinally];
});

export const richData = orchestration("richData", async (ctx, x: number) => {
  const m = new Map<string, Set<number>>([["s", new Set([1, 2])]]);
  const d = new Date(86400000 * x);
  let u: undefined | number = undefined;
  const big = 10n;
  await ctx.call(echo, "tick");
  m.get("s")!.add(await ctx.call(double, x));
  u = u ?? (await ctx.call(double, 1));
  return [[...m.get("s")!], d.toISOString(), u, String(big * 3n), -0 === 0, Number.isNaN(NaN)];
});

export const optional = orchestration("optional", async (ctx, o: { a?: { b?: number } }) => {
  const v = o.a?.b ?? (await ctx.call(echo, "none"));
  const w = (await ctx.call(echo, o))?.a?.b;
  return [v, w];
});

export const commaAndVoid = orchestration("commaAndVoid", async (ctx, x: number) => {
  let y = 0;
  const z = (y = await ctx.call(double, x), y + 1);
  const v = void (await ctx.call(echo, "void"));
  const t = typeof (await ctx.call(echo, 1));
  return [y, z, v, t, !(await ctx.call(echo, false))];
});

export const closureCounter = orchestration("closureCounter", async (ctx, n: number) => {
  let count = 0;
  for (let i = 0; i < n; i++) {
    [1].forEach(() => ++count);
    await ctx.call(echo, count);
  }
  const fns: (() => number)[] = [];
  for (let i = 0; i < 3; i++) fns.push(() => i * 10);
  return [count, fns.map((f) => f())];
});

export const addAll = orchestration("addAll", async (ctx, xs: number[]) => {
  let acc = 0;
  for (const x of xs) acc = await ctx.call(add, { a: acc, b: x });
  return acc;
});

export const inputs: Record<string, unknown[]> = {
  destructuring: [{ a: 1, b: [2, 3, 4] }, { a: 1, b: [5], c: "given" }], spread: [[1, 2, 2]], templates: ["bob"], syncClosures: [[1, 2, 3]],
  compound: [2], evalOrder: [1], methodArgs: [2], aliasing: [3], aliasingThroughTasks: [3], richData: [2], optional: [{}, { a: { b: 5 } }], commaAndVoid: [2],
  closureCounter: [3], addAll: [[1, 2, 3, 4]],
};
