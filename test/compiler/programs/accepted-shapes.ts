// Differential test programs: code the checks used to reject although it is fine: an
// object-literal key named `arguments`, and a local typed by an interface extending Array.
import { orchestration } from "nwc";
import { echo } from "./acts.ts";

interface Row extends Array<string> {}

export const argumentsKey = orchestration("argumentsKey", async (ctx, name: string) => {
  const call = { name, arguments: { n: 1 } };
  const got = await ctx.call(echo, call);
  const { arguments: args } = got;
  return [got, args, call.arguments.n];
});

export const rowInterface = orchestration("rowInterface", async (ctx, xs: string[]) => {
  const row: Row = [...xs];
  const n = await ctx.call(echo, row.length);
  row.push(String(n));
  return [row, await ctx.call(echo, row.join(","))];
});

export const inputs = {
  argumentsKey: ["f"],
  rowInterface: [["a", "b"]],
};
