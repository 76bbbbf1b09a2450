// Differential test programs: values that are not serializable but never live across an
// await (a sync closure used in a block between awaits, a symbol, a function kept in a
// temporary) run fine, as they do in the source.
import { orchestration } from "nwc";
import { double, echo } from "./acts.ts";

const table: Record<string, (x: number) => number> = { inc: (x) => x + 1, neg: (x) => -x };

export const closureBetweenAwaits = orchestration("closureBetweenAwaits", async (ctx, x: number) => {
  const first = await ctx.call(double, x);
  let out: number[] = [];
  {
    const scale = (v: number) => v * first;
    const s = Symbol("local");
    out = [scale(1), scale(2), typeof s === "symbol" ? 1 : 0];
  }
  for (const k of ["inc", "neg"]) {
    const f = table[k]!;
    out.push(f(x));
    out.push(table[k]!(await ctx.call(echo, x)));
  }
  return [out, await ctx.call(echo, out.length)];
});

export const tableCallee = orchestration("tableCallee", async (ctx, x: number) => {
  const r = table[await ctx.call(echo, "inc")]!(await ctx.call(echo, x));
  return r;
});

export const inputs = {
  closureBetweenAwaits: [3],
  tableCallee: [4],
};
