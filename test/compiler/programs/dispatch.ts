// Differential test programs: compiled async closures called through a table (an
// element access or a property of an object literal), not by their own name.
import { orchestration } from "nwc";
import { double, echo } from "./acts.ts";

export const tableDispatch = orchestration("tableDispatch", async (ctx, keys: ("dbl" | "inc" | "both")[]) => {
  const table = {
    dbl: async (x: number) => await ctx.call(double, x),
    inc: async (x: number) => x + 1,
    both: async (x: number) => (await ctx.call(double, x)) + (await ctx.call(double, x + 1)),
  };
  const out: number[] = [];
  for (const k of keys) out.push(await table[k](out.length + 1));
  out.push(await table.inc(10));
  return out;
});

export const tableOfRaces = orchestration("tableOfRaces", async (ctx, key: "fast" | "slow") => {
  const handlers = {
    fast: async () => String(await ctx.call(echo, "fast")),
    slow: async () => `${await ctx.call(echo, "slow")}+${await ctx.call(echo, "again")}`,
  };
  const chosen = handlers[key];
  return await Promise.all([handlers[key](), chosen(), handlers.fast()]);
});

export const inputs = {
  tableDispatch: [["dbl", "inc", "both", "dbl"], []],
  tableOfRaces: ["fast", "slow"],
};
