// Differential test programs: plain values mixed with tasks in Promise combinators (JavaScript
// treats them as already fulfilled promises; so does the engine), Promise.resolve/reject, and
// locals the serializability check accepts because the compiler keeps them as task handles,
// closures or plain data (tuples from Promise.all, iterables of tasks), and a class with a codec
// imported from "nwc" as the author API (registerClass).
import { orchestration, registerClass } from "nwc";
import { double, echo, failIf } from "./acts.ts";

export const plainValuesInAll = orchestration("plainValuesInAll", async (ctx, x: number) => {
  const r = await Promise.all([1, ctx.call(double, x), "s", null, ctx.call(echo, "e"), undefined]);
  const spread = await Promise.all([...[x, x + 1], ctx.call(double, 5)]);
  const none = await Promise.all([]);
  await ctx.sleep(1);
  return [r, spread, none];
});

export const plainValuesInRace = orchestration("plainValuesInRace", async (ctx, x: number) => {
  const plainFirst = await Promise.race([ctx.sleep(100), "now"]);
  const t = ctx.call(double, x);
  await ctx.sleep(5);
  await t;
  // A settled task listed before a plain value wins, as with a settled promise.
  const settledFirst = await Promise.race([t, "plain"]);
  const valueFirst = await Promise.race(["plain", t]);
  return [plainFirst, settledFirst, valueFirst];
});

export const plainValuesSettled = orchestration("plainValuesSettled", async (ctx, x: number) => {
  const all = await Promise.allSettled([ctx.call(failIf, { v: x, bad: x }), 7, ctx.call(double, x)]);
  const any = await Promise.any([ctx.call(failIf, { v: x, bad: x }), "fallback"]);
  try {
    await Promise.all([2, ctx.call(failIf, { v: x, bad: x })]);
    return "unreachable";
  } catch (e) {
    return [all.map((r) => r.status), any, (e as Error).message];
  }
});

export const resolveReject = orchestration("resolveReject", async (ctx, x: number) => {
  const a = await Promise.resolve(x + 1);
  const kept = Promise.resolve(ctx.call(double, x));
  const b = await ctx.call(echo, "mid");
  let c = "none";
  try {
    await Promise.reject(new RangeError("no " + b));
  } catch (e) {
    c = (e as Error).name + ": " + (e as Error).message;
  }
  return [a, await kept, c];
});

export const keptTaskLocals = orchestration("keptTaskLocals", async (ctx, xs: number[]) => {
  const pair = await Promise.all([ctx.call(echo, "s"), ctx.call(double, 3)]);
  const pending = xs.map(async (x) => (await ctx.call(double, x)) + 1);
  const all = Promise.all(xs.map((x) => ctx.call(double, x)));
  const typed: (x: number) => Promise<number> = async (x) => ctx.call(double, x);
  const byKey = new Map(xs.map((x) => [String(x), ctx.call(double, x)] as const));
  const entries = Object.entries({ a: xs.length });
  const re = /b+/g;
  await ctx.sleep(5);
  const fromMap = await Promise.all(byKey.values());
  return [pair, await Promise.all(pending), await all, await typed(4), fromMap, entries, "abbb".replace(re, "B")];
});

class Money {
  constructor(readonly cents: number, readonly currency: string) {}
  plus(other: Money): Money { return new Money(this.cents + other.cents, this.currency); }
}
// The differential test loads this module twice (source and compiled): one codec name per copy.
const copy = ((globalThis as { moneyCopies?: number }).moneyCopies = ((globalThis as { moneyCopies?: number }).moneyCopies ?? 0) + 1);
registerClass({ name: `test.Money#${copy}`, ctor: Money, encode: (m: Money) => [m.cents, m.currency], decode: ([c, cur]: [number, string]) => new Money(c, cur) });

export const codecClassLocal = orchestration("codecClassLocal", async (ctx, xs: number[]) => {
  let total = new Money(0, "EUR");
  for (const x of xs) total = total.plus(new Money(await ctx.call(double, x), "EUR"));
  return `${total.cents} ${total.currency} ${total instanceof Money}`;
});

export const inputs: Record<string, unknown[]> = {
  codecClassLocal: [[1, 2, 3]],
  plainValuesInAll: [2], plainValuesInRace: [3], plainValuesSettled: [2, 5], resolveReject: [1], keptTaskLocals: [[1, 2, 3]],
};
