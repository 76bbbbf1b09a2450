// Differential test programs: control flow with awaits everywhere.
import { orchestration } from "nwc";
import { add, double, echo, fail, isEven, len } from "./acts.ts";

export const seq = orchestration("seq", async (ctx, x: number) => {
  const a = await ctx.call(double, x);
  const b = await ctx.call(double, a);
  return [a, b, await ctx.call(add, { a, b })];
});

export const ifElse = orchestration("ifElse", async (ctx, x: number) => {
  if (await ctx.call(isEven, x)) {
    return await ctx.call(double, x);
  } else if (x > 3) {
    const y = await ctx.call(echo, "big");
    return y;
  } else {
    return "small";
  }
});

export const logical = orchestration("logical", async (ctx, x: number) => {
  const a = x > 1 && (await ctx.call(double, x));
  const b = x > 1 || (await ctx.call(echo, "or"));
  const c = (x > 2 ? null : x > 100 ? 1 : undefined) ?? (await ctx.call(echo, "nullish"));
  const d = (await ctx.call(isEven, x)) && (await ctx.call(double, 10)) && (await ctx.call(double, 20));
  return { a, b, c, d };
});

export const conditional = orchestration("conditional", async (ctx, x: number) => {
  const r = x % 2 === 0 ? await ctx.call(double, x) : await ctx.call(echo, "odd");
  const s = (await ctx.call(isEven, x + 1)) ? "even" : await ctx.call(len, "abc");
  return [r, s];
});

export const switchFall = orchestration("switchFall", async (ctx, x: number) => {
  const out: unknown[] = [];
  switch (await ctx.call(echo, x)) {
    case 1:
      out.push(await ctx.call(double, 1));
    case 2:
      out.push("two");
      out.push(await ctx.call(double, 2));
      break;
    case 3: {
      const y = await ctx.call(double, 3);
      if (y > 5) break;
      out.push("no");
    }
    default:
      out.push(await ctx.call(echo, "default"));
  }
  return out;
});

export const forLoop = orchestration("forLoop", async (ctx, n: number) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i === 1) continue;
    if (i === 4) break;
    out.push(await ctx.call(double, i));
  }
  return out;
});

export const forOfArr = orchestration("forOfArr", async (ctx, xs: number[]) => {
  let s = 0;
  for (const x of xs) s += await ctx.call(double, x);
  return s;
});

export const forOfIterables = orchestration("forOfIterables", async (ctx, xs: number[]) => {
  const set = new Set(xs);
  const out: unknown[] = [];
  for (const x of set) out.push(await ctx.call(double, x));
  const m = new Map<string, number>([["a", 1], ["b", 2]]);
  for (const [k, v] of m) out.push(k, await ctx.call(double, v));
  for (const ch of "hé!") out.push(await ctx.call(echo, ch));
  return out;
});

export const forIn = orchestration("forIn", async (ctx, o: Record<string, number>) => {
  const out: string[] = [];
  for (const k in o) out.push(k + "=" + (await ctx.call(double, o[k]!)));
  return out;
});

export const whileLoop = orchestration("whileLoop", async (ctx, n: number) => {
  let i = 0;
  let acc = 0;
  while ((await ctx.call(echo, i)) < n) {
    acc += await ctx.call(double, i);
    i++;
  }
  return acc;
});

export const doWhile = orchestration("doWhile", async (ctx, n: number) => {
  let i = 0;
  const out: number[] = [];
  do {
    i++;
    if (i === 2) continue;
    out.push(await ctx.call(double, i));
  } while (i < n);
  return out;
});

export const labeled = orchestration("labeled", async (ctx, n: number) => {
  const out: string[] = [];
  outer: for (let i = 0; i < n; i++) {
    inner: for (let j = 0; j < n; j++) {
      if (j === 2) continue outer;
      if (i === 2) break outer;
      if (j > i) break inner;
      out.push(`${i}${j}:${await ctx.call(double, i * 10 + j)}`);
    }
  }
  block: {
    if (await ctx.call(isEven, n)) break block;
    out.push("odd");
  }
  return out;
});

export const shadowing = orchestration("shadowing", async (ctx, x: number) => {
  let v = x;
  const out: number[] = [];
  {
    let v = await ctx.call(double, x);
    out.push(v);
    {
      const v = (await ctx.call(double, x)) + 1;
      out.push(v);
    }
    v++;
    out.push(v);
  }
  for (let v = 0; v < 2; v++) out.push(await ctx.call(echo, v));
  out.push(v);
  return out;
});

export const whileAwaitCond = orchestration("whileAwaitCond", async (ctx, n: number) => {
  const out: number[] = [];
  for (let i = await ctx.call(echo, 0); i < (await ctx.call(echo, n)); i += await ctx.call(echo, 1)) out.push(i);
  return out;
});

export const switchReturnInLoop = orchestration("switchReturnInLoop", async (ctx, xs: number[]) => {
  for (const x of xs) {
    switch (x) {
      case 0: continue;
      case 5: return "five at " + (await ctx.call(echo, x));
      default: await ctx.call(double, x);
    }
  }
  return "none";
});

export const failing = orchestration("failing", async (ctx, x: number) => {
  await ctx.call(double, x);
  return await ctx.call(fail, "nope " + x);
});

export const inputs: Record<string, unknown[]> = {
  seq: [3], ifElse: [2, 5, 1], logical: [0, 2, 3], conditional: [2, 3], switchFall: [1, 2, 3, 9], forLoop: [6], forOfArr: [[1, 2, 3]],
  forOfIterables: [[1, 2, 2, 3]], forIn: [{ a: 1, b: 2 }], whileLoop: [3], doWhile: [4], labeled: [4, 3], shadowing: [5],
  whileAwaitCond: [3], switchReturnInLoop: [[0, 1, 5, 2], [1, 2]], failing: [1],
};
