/**
 * Counter: the smallest entity. One counter per key; operations run one at a
 * time per counter, so concurrent `add`s never lose an update.
 *
 * Run: npx nwc run examples/counter.ts countTo --input '{"key":"a","times":5}'
 */
import { entity, orchestration } from "nwc";

export const counter = entity("Counter", {
  init: () => ({ value: 0 }),
  ops: {
    add: (s: { value: number }, amount: number) => {
      s.value += amount;
      return s.value;
    },
    get: (s: { value: number }) => s.value,
    reset: (s: { value: number }) => {
      s.value = 0;
    },
    remove: (_s: { value: number }, _input: undefined, ectx) => {
      ectx.deleteState();
    },
  },
});

/** Adds 1 to counter `key`, `times` times, one call after the other; returns the final value. */
export const countTo = orchestration("countTo", async (ctx, input: { key: string; times: number }) => {
  for (let i = 0; i < input.times; i++) {
    await ctx.entity(counter, input.key).add(1);
  }
  return await ctx.entity(counter, input.key).get();
});

export const app = [counter, countTo];
