// Activities and helpers shared by the differential test programs.
import { activity, type OrchestrationContext } from "nwc";

export class MyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MyError";
  }
}

export const double = activity("double", async (x: number) => x * 2);
export const echo = activity("echo", async (x: any): Promise<any> => x);
export const fail = activity("fail", async (msg: string): Promise<number> => { throw new Error(msg); });
export const boom = activity("boom", async (msg: string): Promise<number> => { throw new MyError(msg); });
export const failIf = activity("failIf", async (a: { v: number; bad: number }) => {
  if (a.v === a.bad) throw new RangeError(`bad ${a.v}`);
  return a.v + 100;
});
export const add = activity("add", async (a: { a: number; b: number }) => a.a + a.b);
export const len = activity("len", async (s: string) => s.length);
export const isEven = activity("isEven", async (x: number) => x % 2 === 0);

/** A ctx helper in another module. */
export async function twice(ctx: OrchestrationContext, x: number): Promise<number> {
  const a = await ctx.call(double, x);
  return await ctx.call(double, a);
}

export async function sumAll(ctx: OrchestrationContext, xs: number[]): Promise<number> {
  let s = 0;
  for (const x of xs) s += await twice(ctx, x);
  return s;
}
