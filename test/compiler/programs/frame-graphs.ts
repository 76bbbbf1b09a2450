// Differential test programs: frames holding deep and shared structure (walked once per object, at any depth).
import { orchestration, type Task } from "nwc";
import { double, echo } from "./acts.ts";

interface Cell { v: number; next: Cell | null }

export const longList = orchestration("longList", async (ctx, n: number) => {
  let list: Cell | null = null;
  for (let i = 0; i < n; i++) list = { v: i, next: list };
  await ctx.call(echo, "tick");
  let sum = 0;
  let count = 0;
  for (let c = list; c; c = c.next) {
    sum += c.v;
    count++;
  }
  return [count, sum];
});

interface Node2 { a: Node2 | null; b: Node2 | null; i: number }

export const denseDag = orchestration("denseDag", async (ctx, levels: number) => {
  // 2^levels paths, `levels` objects: a walk that does not remember what it visited never ends.
  let node: Node2 = { a: null, b: null, i: -1 };
  for (let i = 0; i < levels; i++) node = { a: node, b: node, i };
  const self: { a?: unknown; b?: unknown; parent?: unknown } = {};
  self.a = self.b = self;
  const child = { parent: self };
  await ctx.call(echo, "tick");
  let depth = 0;
  for (let c: Node2 | null = node; c && c.a; c = c.a) {
    if (c.a !== c.b) return "unshared";
    depth++;
  }
  return [depth, self.a === self && self.b === self, child.parent === self];
});

export const deepTask = orchestration("deepTask", async (ctx, depth: number) => {
  // The task is deeper than any fixed walk bound: it must stay live until awaited.
  interface Holder { task?: Task<number>; inner?: Holder }
  let holder: Holder = { task: ctx.call(double, 21) };
  for (let i = 0; i < depth; i++) holder = { inner: holder };
  await ctx.call(echo, "tick");
  let c = holder;
  while (!c.task) c = c.inner!;
  return await c.task;
});

export const inputs: Record<string, unknown[]> = {
  longList: [100_000], denseDag: [200], deepTask: [100],
};
