// Differential test programs: RegExp match arrays (\`re.exec\`, \`s.match\`, \`matchAll\`)
// live across awaits with their extra properties (index, input, groups, indices).
import { orchestration } from "nwc";
import { echo } from "./acts.ts";
export const regexpMatches = orchestration("regexpMatches", async (ctx, s: string) => {
  const re = /(?<word>[a-z]+)(\d)/dg;
  const seen: unknown[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const got = await ctx.call(echo, m.index);
    seen.push([got, m.index, m.input, m.groups, m[1], m.indices?.[1], m.indices?.groups, re.lastIndex]);
  }
  const mm: RegExpMatchArray | null = s.match(/(\d)/);
  const all: RegExpExecArray[] = [...s.matchAll(/(\d)/g)];
  await ctx.call(echo, 1);
  return [seen, mm, all.map((x) => x.index)];
});
export const inputs = { regexpMatches: ["ab1 cd2"] };
