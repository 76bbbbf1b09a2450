// Differential test programs: object identity across awaits (one object stays one object after a resume).
import { orchestration, registerClass } from "nwc";
import { double, echo } from "./acts.ts";

class Tally {
  constructor(public n: number) {}
}
// The differential test loads this module twice (source and compiled): one codec name per copy.
const copy = ((globalThis as { tallyCopies?: number }).tallyCopies = ((globalThis as { tallyCopies?: number }).tallyCopies ?? 0) + 1);
registerClass({ name: `test.Tally#${copy}`, ctor: Tally, encode: (t: Tally) => t.n, decode: (n: number) => new Tally(n) });

export const writesThroughAliases = orchestration("writesThroughAliases", async (ctx, x: number) => {
  const tally = new Tally(0);
  const err = new Error("failed");
  const when = new Date(5);
  tally.n = await ctx.call(double, x); // saved as `_a = tally` before the await
  err.message += await ctx.call(echo, "!");
  when.setTime(await ctx.call(double, 50));
  return [tally.n, err.message, when.getTime()];
});

export const sharedObjects = orchestration("sharedObjects", async (ctx, x: number) => {
  const when = new Date(7);
  const err = new RangeError("r");
  const tally = new Tally(1);
  const list = [when, err, tally];
  const f = async (y: number) => ctx.call(double, y);
  const g = f;
  const fns = new Set([f]);
  await ctx.call(echo, x);
  return [list[0] === when, list[1] === err, list[2] === tally, f === g, fns.has(g), await g(x)];
});

export const sharedBuffer = orchestration("sharedBuffer", async (ctx, x: number) => {
  const whole = new Uint8Array(8);
  const tail = whole.subarray(4);
  const words = new DataView(whole.buffer, 2, 2);
  tail[0] = await ctx.call(double, x);
  words.setUint8(0, await ctx.call(echo, 9));
  return [Array.from(whole), tail.buffer === whole.buffer];
});

export const inputs: Record<string, unknown[]> = {
  writesThroughAliases: [3], sharedObjects: [2], sharedBuffer: [5],
};
