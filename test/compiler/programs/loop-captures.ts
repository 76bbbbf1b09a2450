// Differential test programs: block-scoped loop bindings captured by closures in loops that await
// (each iteration keeps its own binding, boxed in the frame).
import { orchestration } from "nwc";
import { double, echo } from "./acts.ts";

export const captureFor = orchestration("captureFor", async (ctx, n: number) => {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const rs = await Promise.all([1, 2].map(async (x) => (await ctx.call(double, x + i)) + i));
    out.push(rs);
    if (i === 1) continue;
    out.push(await ctx.call(echo, i));
  }
  return out;
});

export const captureForOf = orchestration("captureForOf", async (ctx, ks: string[]) => {
  const out: string[] = [];
  for (const k of ks) {
    out.push(await (async () => k + (await ctx.call(echo, k)))());
    out.push(await ctx.call(echo, k + "!"));
  }
  return out;
});

export const captureBreakReturn = orchestration("captureBreakReturn", async (ctx, xs: number[]) => {
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const g = async () => ctx.call(double, xs[i]!);
    const v = await g();
    if (v > 10) break;
    if (i === 0) continue;
    if (v === 8) return ["returned", out, i];
    out.push(v);
  }
  return ["done", out];
});

export const captureMutated = orchestration("captureMutated", async (ctx, n: number) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const read = async () => i;
    i++;
    out.push(await read(), await ctx.call(echo, i));
  }
  let j = 0;
  while (j < 3) {
    const jj = j;
    out.push(await (async () => jj * 10)());
    j++;
  }
  return out;
});

export const captureThrow = orchestration("captureThrow", async (ctx, n: number) => {
  const log: unknown[] = [];
  try {
    for (let i = 0; i < n; i++) {
      try {
        const h = async () => {
          if (i === 2) throw new Error("at " + i);
          return ctx.call(double, i);
        };
        log.push(await h());
      } finally {
        log.push("f" + i);
      }
    }
  } catch (e) {
    log.push((e as Error).message);
  }
  return log;
});

export const inputs: Record<string, unknown[]> = {
  captureFor: [3], captureForOf: [["a", "b"]], captureBreakReturn: [[1, 2, 3, 4], [1, 2, 9, 1], [2, 3, 4]], captureMutated: [4], captureThrow: [4],
};
