// Constructs the compiler cannot translate exactly are NWC3xxx errors naming the construct, and nothing is emitted.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileSources } from "../../compiler/index.ts";

const HEADER = `import { activity, orchestration, type OrchestrationContext } from "nwc";\nconst a = activity("a", async (x: number) => x);\n`;

const CASES: { name: string; code: string; body: string; construct: RegExp }[] = [
  { name: "generator", code: "NWC3001", body: `function* g() { yield 1; } await ctx.call(a, 1); return [...g()];`, construct: /generator/ },
  { name: "await in parameter default", code: "NWC3003", body: `const f = async (x = await ctx.call(a, 1)) => x; return await f();`, construct: /parameter default/ },
  { name: "labeled function declaration", code: "NWC3004", body: `await ctx.call(a, 1); l: function h() {} return 1;`, construct: /labeled function/ },
  { name: "this", code: "NWC3005", body: `await ctx.call(a, 1); return typeof this;`, construct: /`this`/ },
  { name: "arguments", code: "NWC3006", body: `await ctx.call(a, 1); return arguments.length;`, construct: /`arguments`/ },
  { name: "for await", code: "NWC3007", body: `for await (const x of [ctx.call(a, 1)]) { return x; } return 0;`, construct: /for await/ },
  { name: "class", code: "NWC3008", body: `class K { v = 1; } await ctx.call(a, 1); return new K().v;`, construct: /class/ },
  { name: "async method", code: "NWC3009", body: `const o = { async m() { return await ctx.call(a, 1); } }; return await o.m();`, construct: /async method/ },
  { name: "async function in a sync function", code: "NWC3010", body: `const mk = () => async () => await ctx.call(a, 1); return await mk()();`, construct: /non-async nested function/ },
  { name: "using in a for head", code: "NWC3012", body: `for (await using x of [] as any[]) { await ctx.call(a, 1); } return 1;`, construct: /using/ },
  { name: "tagged template with await", code: "NWC3016", body: `const t = (s: TemplateStringsArray, ...v: unknown[]) => s.join("") + v.join(""); return t\`x\${await ctx.call(a, 1)}\`;`, construct: /tagged template/ },
  { name: "then with a callback not written inline", code: "NWC3018", body: `const inc = (v: number) => v + 1; return await ctx.call(a, 1).then(inc);`, construct: /not written inline/ },
  { name: "exponent assignment to a property", code: "NWC3019", body: `const o = { p: 2 }; o.p **= await ctx.call(a, 2); return o.p;`, construct: /\*\*=/ },
  { name: "for...of over a Map's entries() with an await", code: "NWC3020", body: `const m = new Map([[1, 2]]); let s = 0; for (const [k, v] of m.entries()) s += await ctx.call(a, k + v); return s;`, construct: /entries\(\)/ },
  { name: "array destructuring of a Set with an await in the pattern", code: "NWC3020", body: `const s = new Set([n]); const [x = await ctx.call(a, 1), y] = s; return x + (y ?? 0);`, construct: /await in the pattern/ },
  { name: "a nested array pattern over a Set", code: "NWC3023", body: `const [[first]] = [new Set([n])]; return first + await ctx.call(a, 1);`, construct: /typed Set<number>, nested in another pattern/ },
  { name: "an array pattern parameter over a Set", code: "NWC3023", body: `const f = ([u]: Set<number>) => u; return f(new Set([n])) + await ctx.call(a, 1);`, construct: /typed Set<number>/ },
  { name: "a nested array assignment target over a Set", code: "NWC3023", body: `let t = 0; [[t]] = [new Set([n])]; return t + await ctx.call(a, 1);`, construct: /typed Set<number>/ },
  { name: "a case-clause let used by an earlier closure", code: "NWC3021", body: `const k = await ctx.call(a, 1); switch (k) { case 1: const g = async () => x; let x = 2; return await g(); } return 0;`, construct: /temporal dead zone/ },
  { name: "a destructuring write to a let from a closure that may run before its declaration", code: "NWC3021", body: `const set = () => { [x] = [n]; }; set(); let x = await ctx.call(a, 1); return x;`, construct: /assigned by a destructuring/ },
  { name: "a getter beside a spread", code: "NWC3022", body: `const b = { y: 1 }; const o = { ...b, get x() { return n; } }; await ctx.call(a, 1); return o.x;`, construct: /getter or setter/ },
  { name: "__proto__ beside a spread", code: "NWC3022", body: `const b = { y: 1 }; const o = { ...b, __proto__: null }; await ctx.call(a, 1); return o;`, construct: /__proto__/ },
  { name: "for...of over a generator with an await and a break", code: "NWC3020", body: `function* g() { yield 1; } for (const x of (0, g)()) { if (x > await ctx.call(a, 1)) break; } return 0;`, construct: /iterator/ },
  { name: "for...of over a generator with an await", code: "NWC3020", body: `function* g() { yield 1; } let s = 0; for (const x of (0, g)()) s += await ctx.call(a, x); return s;`, construct: /iterator/ },
];

for (const c of CASES) {
  test(`${c.name} gives ${c.code}`, () => {
    const text = `${HEADER}export const o = orchestration("o", async function (ctx, n: number) {\n${c.body}\n});\n`;
    const r = compileSources([{ fileName: `/virtual/${c.code}.ts`, text }], { skipEffectChecks: true, skipTypeCheck: true });
    const mine = r.diagnostics.filter((d) => d.code === c.code);
    assert.ok(mine.length >= 1, `expected ${c.code}, got ${JSON.stringify(r.diagnostics.map((d) => d.code + " " + d.message))}`);
    assert.match(mine[0]!.message, c.construct);
    assert.ok(mine[0]!.fix.length > 10, "the diagnostic says how to fix it");
    assert.is(mine[0]!.line, 4, "points at the offending line");
    assert.equal(r.outputs, [], "nothing is emitted");
  });
}

test("the same constructs are fine outside orchestrations", () => {
  const text = `${HEADER}function* g() { yield 1; }\nclass K { v = [...g()]; }\nexport const o = orchestration("o", async (ctx, n: number) => (await ctx.call(a, n)) + new K().v.length);\n`;
  const r = compileSources([{ fileName: "/virtual/ok.ts", text }], { skipEffectChecks: true });
  assert.equal(r.diagnostics, []);
  assert.is(r.machines.length, 1);
});

test("an awaiting for...of over an instance of a class with its own iterator is NWC3020; over an Iterable<T> the run decides", () => {
  const text = `${HEADER}class Bag { *[Symbol.iterator]() { yield 1; } }\n` +
    `export const o = orchestration("o", async (ctx, bag: Bag) => { let s = 0; for (const x of bag) s += await ctx.call(a, x); return s; });\n` +
    `export const p = orchestration("p", async (ctx, xs: Iterable<number>) => { let s = 0; for (const x of xs) s += await ctx.call(a, x); return s; });\n`;
  const r = compileSources([{ fileName: "/virtual/bag.ts", text }], { skipEffectChecks: true, skipTypeCheck: true });
  assert.equal(r.diagnostics.map((d) => `${d.code}:${d.line}`), ["NWC3020:4"]);
  assert.match(r.diagnostics[0]!.message, /class instance with its own iterator/);
});

test("a helper taking ctx is checked like an orchestration", () => {
  const text = `${HEADER}export async function h(ctx: OrchestrationContext) {\n  class K {}\n  return await ctx.call(a, 1);\n}\n`;
  const r = compileSources([{ fileName: "/virtual/helper.ts", text }], { skipEffectChecks: true, skipTypeCheck: true });
  assert.equal(r.diagnostics.map((d) => d.code), ["NWC3008"]);
});

test("type errors are diagnostics too, and block the emit", () => {
  const text = `${HEADER}export const o = orchestration("o", async (ctx, n: number) => { const s: string = await ctx.call(a, n); return s; });\n`;
  const r = compileSources([{ fileName: "/virtual/typed.ts", text }]);
  assert.ok(r.diagnostics.some((d) => d.code === "TS2322"), JSON.stringify(r.diagnostics));
  assert.equal(r.outputs, []);
});

test.run();
