// Differential test programs: a for...of sees its collection as it is at each step,
// as the language's iterators do: entries added to a Set or Map and items pushed to an
// array during a loop that awaits are visited; leaving a loop over a generator early
// (break, return, throw) closes the generator, running its `finally`, and so does
// destructuring fewer items than it has.
import { orchestration } from "nwc";
import { echo } from "./acts.ts";

export const growWhileAwaiting = orchestration("growWhileAwaiting", async (ctx, n: number) => {
  const seen: unknown[] = [];
  const set = new Set([1, 2]);
  for (const x of set) {
    seen.push(x);
    if (x < n) set.add(await ctx.call(echo, x + 1));
  }
  const map = new Map([["a", 1]]);
  for (const [k, v] of map) {
    seen.push(k + v);
    if (v < n) map.set(k + "x", await ctx.call(echo, v + 1));
  }
  const queue = new Set(["p", "q", "r"]);
  for (const x of queue) {
    queue.delete(x);
    seen.push(x + (await ctx.call(echo, queue.size)));
    if (x === "p") queue.add("s");
  }
  const retry = new Set(["x", "y"]);
  let attempts = 0;
  for (const x of retry) {
    retry.delete(x);
    seen.push(x + (await ctx.call(echo, attempts)));
    if (++attempts < 4) retry.add(x);
  }
  const items: any = [1];
  for (const x of items) {
    seen.push(x);
    if (x < n) items.push(await ctx.call(echo, x + 1));
  }
  return seen;
});

function* gen(log: string[], tag: string) {
  try {
    for (let i = 0; ; i++) yield i;
  } finally {
    log.push("closed " + tag);
  }
}

export const closeOnEarlyExit = orchestration("closeOnEarlyExit", async (ctx, n: number) => {
  const log: string[] = [];
  for (const x of gen(log, "break")) if (x >= n) break;
  const found = (() => {
    for (const x of gen(log, "return")) if (x === 2) return x;
    return -1;
  })();
  try {
    for (const x of gen(log, "throw")) if (x === 1) throw new Error("out");
  } catch (e) {
    log.push((e as Error).message);
  }
  outer: for (const y of [1, 2]) {
    for (const x of gen(log, "label" + y)) if (x === y) continue outer;
  }
  const [d1, d2] = gen(log, "destructure");
  let e1 = -1;
  [e1] = gen(log, "assign");
  const [...all] = [1, 2].values();
  return [log, found, d1, d2, e1, all, await ctx.call(echo, log.length)];
});

export const inputs = {
  growWhileAwaiting: [3],
  closeOnEarlyExit: [2],
};
