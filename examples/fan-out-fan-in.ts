/**
 * Fan-out/fan-in: one activity per item, all in parallel, then aggregate.
 *   npx nwc run examples/fan-out-fan-in.ts fanOutFanIn --input '["a.txt","bb.txt","ccc.txt"]'
 */
import { activity, orchestration } from "nwc";

/** Stands in for real work on one item (e.g. the size of a file in a bucket). */
export const measure = activity("measure", async (item: string) => item.length * 100);

export const fanOutFanIn = orchestration("fanOutFanIn", async (ctx, items: string[]) => {
  const sizes = await Promise.all(items.map((item) => ctx.call(measure, item)));
  let total = 0;
  for (const size of sizes) total += size;
  return { items: items.length, total };
});
