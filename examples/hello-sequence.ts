/**
 * Function chaining: call an activity for each city, one after the other.
 *   npx nwc run examples/hello-sequence.ts helloSequence --input '["Tokyo","Seattle","London"]'
 *   npx nwc run examples/hello-sequence.ts hello5
 */
import { activity, orchestration } from "nwc";

export const greet = activity("greet", async (name: string) => `Hello ${name}!`);

export const helloSequence = orchestration("helloSequence", async (ctx, cities: string[]) => {
  const out: string[] = [];
  for (const city of cities) out.push(await ctx.call(greet, city));
  return out;
});

/** Five activities in sequence (the throughput benchmark's workload). */
export const hello5 = orchestration("hello5", async (ctx) => {
  const out: string[] = [];
  out.push(await ctx.call(greet, "Tokyo"));
  out.push(await ctx.call(greet, "Seattle"));
  out.push(await ctx.call(greet, "London"));
  out.push(await ctx.call(greet, "Cairo"));
  out.push(await ctx.call(greet, "Lima"));
  return out;
});
