/**
 * The runtime benchmarks' workloads as users write them: ordinary
 * orchestrations, compiled by nwc's compiler when the benchmark starts
 * (bench/compiled-app.ts). Each one does what its hand-written counterpart in
 * bench/runtime-machines.ts does, with the same names, inputs and outputs, so
 * one host runs either set and the tables compare compiled with hand-written.
 */
import { activity, orchestration } from "nwc";

export const greet = activity("greet", async (name: string) => `Hello ${name}!`);
export const noop = activity("noop", async (n: number) => n);

/** Three activities in sequence, written out as the peers' Hello3 is. */
export const hello3 = orchestration("hello3", async (ctx) => {
  const a = await ctx.call(greet, "city 0");
  const b = await ctx.call(greet, "city 1");
  const c = await ctx.call(greet, "city 2");
  return [a, b, c];
});

/** Five activities in sequence, in a loop. */
export const hello5 = orchestration("hello5", async (ctx) => {
  const out: string[] = [];
  for (let i = 0; i < 5; i++) out.push(await ctx.call(greet, `city ${i}`));
  return out;
});

/** 100 activities in parallel; output: the sum of their results (4950). */
export const fan100 = orchestration("fan100", async (ctx) => {
  const tasks = [];
  for (let i = 0; i < 100; i++) tasks.push(ctx.call(noop, i));
  const results = await Promise.all(tasks);
  let sum = 0;
  for (const r of results) sum += r;
  return sum;
});

/**
 * One long loop: `target` activity calls, then every "tick" event sets the
 * custom status to steps + ticks (the resume benchmark polls for it); a tick
 * `{ extendTo: n }` moves the target to n and loops on.
 */
export const loop = orchestration("loop", async (ctx, input: { target: number }) => {
  let target = input.target;
  let i = 0;
  let ticks = 0;
  for (;;) {
    while (i < target) {
      await ctx.call(noop, i);
      i++;
    }
    const tick = await ctx.waitForEvent<{ extendTo?: number } | number>("tick");
    if (typeof tick === "object" && tick !== null && typeof tick.extendTo === "number") {
      target = tick.extendTo;
    } else {
      ticks++;
      ctx.setStatus(i + ticks);
    }
  }
});

/** Waits for one event forever (idle instances). */
export const idler = orchestration("idler", async (ctx) => {
  await ctx.waitForEvent("never");
  return null;
});
