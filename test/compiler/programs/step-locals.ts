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

// A closure declared in a block under an `if`, in a loop whose body awaits later: it is
// written at the start of its branch and read only after that, in that branch.
export const closureInBranch = orchestration("closureInBranch", async (ctx, n: number) => {
  const log: number[] = [];
  let k = n;
  do {
    try {
      if (k > 1) {
        const twice = () => k * 2;
        log.push(twice());
      } else {
        const neg = () => -k;
        log.push(neg());
      }
      log.push(await ctx.call(echo, k));
    } finally {
      log.push(-1);
    }
  } while (k-- > 0);
  return log;
});

/** The same under the cases of a switch, one falling through into the next. */
export const closureInSwitchCase = orchestration("closureInSwitchCase", async (ctx, n: number) => {
  const log: number[] = [];
  for (let k = n; k >= 0; k--) {
    switch (k % 3) {
      case 0: {
        const twice = () => k * 2;
        log.push(twice());
      }
      // falls through
      case 1: {
        const neg = () => -k;
        log.push(neg());
        break;
      }
      default:
        log.push(k);
    }
    log.push(await ctx.call(echo, k));
  }
  return log;
});

export const inputs = {
  closureInBranch: [0, 3],
  closureInSwitchCase: [0, 4],
  closureBetweenAwaits: [3],
  tableCallee: [4],
};
