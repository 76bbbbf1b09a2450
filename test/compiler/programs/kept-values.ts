// Differential test programs: values the codec keeps exactly across a resume.
import { activity, orchestration } from "nwc";
import { echo } from "./acts.ts";

/** What fs.readFile gives: a Node Buffer (typed loosely: the programs compile without Node's types). */
export const readBytes = activity("readBytes", async (s: string): Promise<Uint8Array> => (globalThis as any).Buffer.from(s));

export const keptShapes = orchestration("keptShapes", async (ctx, x: number) => {
  const dict: Record<string, number> = Object.create(null);
  dict.a = x;
  const frozen = Object.freeze({ k: [1, 2] });
  const sealed = Object.seal({ s: 1 });
  const match: string[] & { index: number; input: string; groups?: Record<string, string> } = /(?<word>b+)/.exec("abbc")!;
  const invalid = new Date(NaN);
  const withProtoKey = JSON.parse('{"__proto__": 5}');
  const bytes = await ctx.call(readBytes, "hi");
  await ctx.call(echo, "tick");
  return [
    Object.getPrototypeOf(dict) === null, dict.a,
    Object.isFrozen(frozen), Object.isSealed(sealed) && !Object.isFrozen(sealed),
    match.index, match.input, match.groups!.word, Object.getPrototypeOf(match.groups) === null,
    Number.isNaN(invalid.getTime()),
    Object.keys(withProtoKey), Object.getPrototypeOf(withProtoKey) === Object.prototype,
    bytes.length, bytes[0], bytes.constructor.name,
  ];
});

export const inputs: Record<string, unknown[]> = { keptShapes: [4] };
