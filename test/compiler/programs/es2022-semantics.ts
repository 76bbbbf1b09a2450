// Differential test programs: code with no await in it keeps its ES2022 meaning in a
// compiled orchestration: BigInt exponentiation, object spread of symbol keys and own
// `__proto__` keys, frozen per-site template strings arrays, for...of over `any`-typed
// Sets, Maps and strings (code points, not UTF-16 halves).
import { orchestration } from "nwc";
import { echo } from "./acts.ts";

const tag = (strings: TemplateStringsArray, ...values: unknown[]) => strings;

export const bigintPow = orchestration("bigintPow", async (ctx, e: number) => {
  const big = 2n ** 70n;
  let x = 3;
  x **= 2;
  const y = (-2) ** 3;
  const z = 2 ** -1;
  const got = await ctx.call(echo, String(big));
  return [got, x, y, z, (BigInt(e) ** 3n).toString()];
});

export const objectSpread = orchestration("objectSpread", async (ctx, json: string) => {
  const sym = Symbol.for("k");
  const src: Record<string | symbol, unknown> = { a: 1, [sym]: 2 };
  const copy: Record<string | symbol, unknown> = { ...src, b: 3 };
  const parsed = JSON.parse(json);
  const own = { ...parsed };
  const facts = [
    Object.getOwnPropertySymbols(copy).length,
    copy[sym],
    Object.prototype.hasOwnProperty.call(own, "__proto__"),
    Object.getPrototypeOf(own) === Object.prototype,
    Object.keys(own).join(","),
  ];
  const { a, ...rest } = own;
  facts.push(Object.prototype.hasOwnProperty.call(rest, "__proto__"), Object.getPrototypeOf(rest) === Object.prototype, a);
  return [await ctx.call(echo, 1), facts];
});

export const templateSites = orchestration("templateSites", async (ctx, n: number) => {
  const seen: TemplateStringsArray[] = [];
  for (let i = 0; i < n; i++) seen.push(tag`a${i}b`);
  const other = tag`a${0}b`;
  const facts = [seen[0] === seen[1], seen[0] === other, Object.isFrozen(seen[0]), Object.isFrozen(seen[0]!.raw), seen[0]!.raw.join("|")];
  return [await ctx.call(echo, 1), facts];
});

export const iterateAny = orchestration("iterateAny", async (ctx, s: string) => {
  const set: any = new Set([1, 2, 3]);
  const map: any = new Map([["a", 1], ["b", 2]]);
  const str: any = s;
  const out: unknown[] = [];
  for (const v of set) out.push(v);
  for (const [k, v] of map) out.push(`${k}=${v}`);
  for (const ch of str) out.push(ch);
  for (const ch of s) out.push(ch.length);
  out.push([...str].length);
  out.push(await ctx.call(echo, out.length));
  return out;
});

export const inputs = {
  bigintPow: [2],
  objectSpread: ['{"__proto__": {"x": 1}, "y": 2}'],
  templateSites: [2],
  iterateAny: ["a😀b"],
  endlessGenerator: [3],
};

function* naturals() {
  for (let i = 0; ; i++) yield i;
}

export const endlessGenerator = orchestration("endlessGenerator", async (ctx, limit: number) => {
  const seen: number[] = [];
  for (const n of naturals()) {
    if (n >= limit) break;
    seen.push(n);
  }
  const [a, b, c] = naturals();
  let first = 0;
  [first] = naturals();
  return [seen, a, b, c, first, await ctx.call(echo, seen.length)];
});
