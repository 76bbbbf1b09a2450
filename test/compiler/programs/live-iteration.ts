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

/** Logs each item it gives, and its close. */
function* loud<T>(log: string[], tag: string, items: T[]) {
  try {
    for (const x of items) {
      log.push(`${tag} gives ${x}`);
      yield x;
    }
  } finally {
    log.push(`${tag} closed`);
  }
}

// Default values, nested patterns and property targets run between the reads of the
// iterator and before its close, in the language: the log shows the order.
export const destructuringOrder = orchestration("destructuringOrder", async (ctx, n: number) => {
  const log: string[] = [];
  const note = (v: number) => {
    log.push(`default ${v}`);
    return v;
  };
  const [a = note(1), b = note(2)] = loud<number | undefined>(log, "decl", [undefined, n, 7]);
  const box = { p: 0, set q(v: number) { log.push(`set q ${v}`); } };
  let c = 0;
  [box.p, box.q, c = note(3)] = loud(log, "assign", [n, n + 1]);
  const [[d] = [note(4)], ...rest] = loud<number[] | undefined>(log, "rest", [undefined, [5], [6]]);
  const [e = note(5)] = new Set([n]);
  return [log, a, b, box.p, c, d, rest, e, await ctx.call(echo, log.length)];
});

// A for...of variable's array pattern over items that are not arrays (typed any): each
// item is iterated, not indexed, in loops with and without an await.
export const patternOverSetItems = orchestration("patternOverSetItems", async (ctx, n: number) => {
  const pairs: any[] = [new Set([n, n + 1]), [n + 2, n + 3]];
  const out: number[] = [];
  for (const [x, y] of pairs) out.push(x + y);
  const live: any = new Set([new Set([1]), new Set([2, 3])]);
  for (const [p, q = n] of live) out.push(p + q + (await ctx.call(echo, 1)));
  return out;
});

export const inputs = {
  patternOverSetItems: [4],
  growWhileAwaiting: [3],
  closeOnEarlyExit: [2],
  destructuringOrder: [2],
};
