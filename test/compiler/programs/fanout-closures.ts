// Differential test programs: async closures created in loops whose bodies do not await
// (TypeScript wraps such a body in a sync per-iteration function), and block-scoped
// bindings captured by async closures.
import { orchestration } from "nwc";
import { double, echo } from "./acts.ts";

export const fanOutPush = orchestration("fanOutPush", async (ctx, xs: number[]) => {
  const running: Promise<number>[] = [];
  for (const x of xs) running.push((async () => x + (await ctx.call(double, x)))());
  return await Promise.all(running);
});

export const fanOutLetLoop = orchestration("fanOutLetLoop", async (ctx, n: number) => {
  const running: Promise<string>[] = [];
  for (let i = 0; i < n; i++) {
    const label = `#${i}`;
    running.push((async () => label + (await ctx.call(echo, i)))());
    if (i === 1) continue;
  }
  const got = await Promise.all(running);
  return got;
});

export const blockCapturedByIife = orchestration("blockCapturedByIife", async (ctx, x: number) => {
  const out: unknown[] = [];
  {
    const y = x + 1;
    out.push(await (async () => y * (await ctx.call(double, y)))());
  }
  {
    const y = x + 2;
    const t = (async () => y + (await ctx.call(echo, y)))();
    out.push(await t);
  }
  return out;
});

export const inputs = {
  fanOutPush: [[1, 2, 3], []],
  fanOutLetLoop: [3],
  blockCapturedByIife: [5],
};
