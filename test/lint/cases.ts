/**
 * The rule corpus shared by the checker tests, the ESLint RuleTester tests
 * and the docs: sources where `/*NWCxxxx*\/` marks the exact start of each
 * expected finding (markers are removed before compiling, and their position
 * is the expected line and column), and look-alikes that must stay clean.
 */
export interface Case {
  name: string;
  /** File name -> source with markers; the first file is the one linted. */
  files: Record<string, string>;
  /** For look-alikes: the codes they are meant to resemble (the ESLint tests run them against those rules only). */
  lookalikeFor?: string[];
}

export const PRELUDE = `import { activity, entity, orchestration, registerClass, type OrchestrationContext } from "nwc";\n`;

export function orch(body: string, prelude = "", name = "main.ts"): Record<string, string> {
  return { [name]: `${PRELUDE}${prelude}\nexport const o = orchestration("o", async (ctx, input: string) => {\n${body}\n  return 1;\n});\n` };
}

const entities = `const account = entity("Account", { init: () => ({ b: 0 }), ops: { add: (s: { b: number }, n: number) => { s.b += n; } } });
const audit = entity("Audit", { init: () => 0, ops: { note: (_s: number, _n: number) => 1 } });
const greet = activity("greet", async (n: string) => n);`;

/** Cases that must produce exactly the marked findings. */
export const FLAGGED: Case[] = [
  { name: "Date.now() and aliases", files: orch(`  const a = /*NWC1001*/Date.now();\n  const b = /*NWC1001*/now();\n  const c = /*NWC1001*/globalThis.Date.now();\n  const d = /*NWC1001*/Date?.now();\n  const e = /*NWC1001*/clock.now();`, `const now = Date.now;\nconst clock = { now: Date.now };`) },
  { name: "new Date() without arguments, Date() as a function", files: orch(`  const a = /*NWC1002*/new Date();\n  const b = /*NWC1002*/Date();`) },
  { name: "Math.random: direct, destructured, element access", files: orch(`  const a = /*NWC1003*/Math.random();\n  const { random } = Math;\n  const b = /*NWC1003*/random();\n  const c = /*NWC1003*/Math["random"]();\n  const d = /*NWC1003*/Math?.random?.();\n  const e = [1, 2].map(/*NWC1003*/Math.random);`) },
  { name: "crypto randomness: web crypto and node:crypto", files: orch(`  const a = /*NWC1004*/crypto.randomUUID();\n  const b = /*NWC1004*/crypto.getRandomValues(new Uint8Array(4));\n  const c = /*NWC1004*/randomBytes(8);\n  const d = /*NWC1004*/nodeCrypto.randomInt(10);`, `import { randomBytes } from "node:crypto";\nimport * as nodeCrypto from "crypto";`) },
  { name: "clocks", files: orch(`  const a = /*NWC1005*/performance.now();\n  const b = /*NWC1005*/process.hrtime();\n  const c = /*NWC1005*/process.hrtime.bigint();`) },
  { name: "timers", files: orch(`  /*NWC1006*/setTimeout(() => 1, 5);\n  /*NWC1006*/setInterval(() => 1, 5);\n  /*NWC1006*/setImmediate(() => 1);\n  /*NWC1006*/queueMicrotask(() => 1);\n  /*NWC1014*/await /*NWC1006*/sleep(5);`, `import { setTimeout as sleep } from "node:timers/promises";`) },
  { name: "network", files: orch(`  /*NWC1014*/await /*NWC1007*/fetch("https://example.com");\n  /*NWC1007*/http.get("http://example.com");\n  const x = /*NWC1007*/new XMLHttpRequest();\n  const w = /*NWC1007*/new WebSocket("ws://x");\n  /*NWC1007*/dns.lookup("example.com", () => 1);`, `import http from "node:http";\nimport * as dns from "node:dns";`) },
  { name: "file system", files: orch(`  const a = /*NWC1008*/readFileSync("hosts.txt");\n  /*NWC1014*/await /*NWC1008*/fsp.readFile("hosts.txt");\n  /*NWC1008*/fs.writeFileSync("out.txt", "y");`, `import { readFileSync } from "node:fs";\nimport fsp from "fs/promises";\nimport * as fs from "fs";`) },
  { name: "child processes", files: orch(`  /*NWC1009*/execSync("ls");\n  const w = /*NWC1009*/new Worker("./w.js");`, `import { execSync } from "node:child_process";\nimport { Worker } from "node:worker_threads";`) },
  { name: "process.env", files: orch(`  const a = /*NWC1010*/process.env.HOME;\n  const b = /*NWC1010*/process.env["PATH"];\n  const c = /*NWC1010*/env.USER;`, `import { env } from "node:process";`) },
  { name: "module-level state writes", files: orch(`  /*NWC1011*/count++;\n  /*NWC1011*/count += 2;\n  /*NWC1011*/cache.set(input, 1);\n  /*NWC1011*/list.push(input);\n  /*NWC1011*/state.last = input;\n  /*NWC1011*/Registry.size = 3;\n  /*NWC1011*/delete state.last;`, `let count = 0;\nconst cache = new Map<string, number>();\nconst list: string[] = [];\nconst state: { last?: string } = {};\nclass Registry { static size = 0; }`) },
  { name: "WeakRef and FinalizationRegistry", files: orch(`  const r = /*NWC1012*/new WeakRef({});\n  const f = /*NWC1012*/new FinalizationRegistry(() => 1);`) },
  { name: "eval and new Function", files: orch(`  /*NWC1013*/eval("1");\n  const f = /*NWC1013*/new Function("return 1");`) },
  { name: "awaiting non-durable values", files: orch(`  /*NWC1014*/await new Promise((r) => r(1));\n  /*NWC1014*/await 5;\n  const p = new Promise<number>((r) => r(1));\n  /*NWC1014*/await p;\n  /*NWC1014*/await Promise.all([ctx.call(greet, "a"), new Promise((r) => r(2))]);\n  /*NWC1014*/await Promise.all([ctx.call(greet, "a"), input as any]);\n  /*NWC1014*/await Promise.resolve(new Promise<number>((r) => r(3)));\n  /*NWC1014*/await globalThis.Promise.all([ctx.call(greet, "a")]);\n  for /*NWC1014*/await (const x of gen()) x;`, `${entities}\nasync function* gen() { yield 1; }`) },
  { name: "awaiting async functions the compiler does not translate", files: orch(`  /*NWC1014*/await load(input);\n  /*NWC1014*/await late(input, ctx);\n  /*NWC1014*/await Promise.all([ctx.call(greet, "a"), load(input)]);\n  const loader = load;\n  /*NWC1014*/await loader(input);\n  const table = { load, late };\n  /*NWC1014*/await table[input === "l" ? "load" : "late"](input, ctx);\n  const typed: Record<string, (s: string) => Promise<number>> = { a: async (s) => s.length };\n  /*NWC1014*/await typed[input]!(input);`, `${entities}\nasync function load(s: string) { return s.length; }\nasync function late(s: string, c: OrchestrationContext) { return c.call(greet, s); }`) },
  { name: "durable tasks created and dropped", files: orch(`  /*NWC1015*/ctx.call(greet, input);\n  /*NWC1015*/ctx.sleep(10).then(() => 1);\n  /*NWC1015*/(async () => { await ctx.sleep(1); })();\n  const t = ctx.call(greet, "x");\n  /*NWC1015*/t;\n  input ? /*NWC1015*/ctx.call(greet, "y") : 0;`, entities) },
  { name: "continueAsNew not returned", files: orch(`  /*NWC1016*/ctx.continueAsNew(input);\n  const next = /*NWC1016*/ctx.continueAsNew(input + "!");\n  if (input === "z") { next; }`) },
  { name: "locals whose data shape holds functions, library classes or entity proxies", files: orch(`  const /*NWC2001*/handlers: Record<string, () => void> = {};\n  const /*NWC2001*/weak = new WeakMap<object, number>();\n  const /*NWC2001*/acct = ctx.entity(account, input);\n  const /*NWC2001*/pairs: [string, () => number][] = [];\n  const /*NWC2001*/byName = new Map<string, Box>();\n  const /*NWC2001*/err = new AppError("x");\n  await ctx.sleep(1);\n  return [handlers, weak, acct, pairs, byName, err].length;`, `${entities}\nclass Box { v = 1; }\nclass AppError extends Error {}`) },
  { name: "a sync function parameter of a ctx helper kept across an await", files: { "main.ts": `${PRELUDE}import type { Task } from "nwc";\nexport async function retry<T>(ctx: OrchestrationContext, /*NWC2001*/make: () => Task<T>): Promise<T> {\n  for (let i = 0; ; i++) {\n    try { return await make(); } catch (e) { if (i >= 3) throw e; await ctx.sleep(1000); }\n  }\n}\n` } },
  { name: "locals live across await that are not serializable", files: orch(`  const /*NWC2001*/f = () => input;\n  const /*NWC2001*/s = Symbol("x");\n  const /*NWC2001*/box = new Box();\n  const /*NWC2001*/holder = { cb: (x: number) => x };\n  const /*NWC2001*/pending = new Promise<number>((r) => r(1));\n  await ctx.call(greet, input);\n  f(); s.toString(); box.v; holder.cb(1); pending.then(() => 1);`, `${entities}\nclass Box { v = 1; }`) },
  { name: "a generator object kept across an await", files: orch(`  const /*NWC2001*/it = gen();\n  const items = [...gen()];\n  await ctx.sleep(1);\n  it.next();\n  items.length;`, `function* gen() { yield 1; }`) },
  { name: "an activity definition kept in a local across an await", files: orch(`  const /*NWC2001*/acts = [greet];\n  for (const a of acts) await ctx.call(a, input);`, entities) },
  { name: "a local used in a loop around the await", files: orch(`  const /*NWC2001*/f = (x: string) => x;\n  for (const c of [input]) {\n    f(c);\n    await ctx.call(greet, c);\n  }`, entities) },
  { name: "nested critical sections", files: orch(`  await using l = await ctx.lock(account.id("a"));\n  await using m = await /*NWC4001*/ctx.lock(account.id("b"));\n  await /*NWC4001*/ctx.transaction([account.id("c")], async (tx) => 1);`, entities) },
  { name: "nested lock inside a transaction body", files: orch(`  await ctx.transaction([account.id("a")], async (tx) => {\n    await using l = await /*NWC4001*/ctx.lock(account.id("b"));\n    return 1;\n  });`, entities) },
  { name: "calling an entity the section does not hold", files: orch(`  await using l = await ctx.lock(account.id("x"));\n  await /*NWC4002*/ctx.entity(audit, input).note(1);\n  await /*NWC4002*/ctx.entity(account, "y").add(1);\n  await ctx.entity(account, input).add(1);`, entities) },
  { name: "signalling an entity the section holds", files: orch(`  await using l = await ctx.lock(account.id(input));\n  /*NWC4003*/ctx.signal(account, input).add(1);`, entities) },
  {
    name: "module state: destructuring, for-of targets, Object.assign/Reflect.set, const aliases, literal keys, .call, static this, globalThis",
    files: orch(`  [/*NWC1011*/a, /*NWC1011*/b] = [1, 2];\n  ({ /*NWC1011*/a } = { a: 3 });\n  ({ y: /*NWC1011*/st.x } = { y: 4 });\n  [.../*NWC1011*/st.list] = [5];\n  for (/*NWC1011*/b of [6]) b;\n  /*NWC1011*/Object.assign(st, { x: 7 });\n  /*NWC1011*/Reflect.set(st, "x", 8);\n  /*NWC1011*/st.inner.y = 9;\n  const alias = st.inner;\n  /*NWC1011*/alias.y++;\n  /*NWC1011*/st.list["push"](1);\n  /*NWC1011*/Array.prototype.push.call(st.list, 2);\n  Counter.bump();\n  /*NWC1011*/(globalThis as any).flag = 1;`,
      `let a = 0, b = 0;\nconst st = { x: 0, inner: { y: 0 }, list: [] as number[] };\nclass Counter { static n = 0; static bump() { /*NWC1011*/this.n++; } }`),
  },
  {
    name: "module state through a namespace import",
    files: {
      "main.ts": `${PRELUDE}import * as S from "./state.ts";\nexport const o = orchestration("o", async (ctx, input: string) => {\n  /*NWC1011*/S.list.push(input);\n  /*NWC1011*/S.counter.n++;\n  return 1;\n});\n`,
      "state.ts": `export const list: string[] = [];\nexport const counter = { n: 0 };\n`,
    },
  },
  {
    name: "effects through call/apply/bind, comma, unwritten lets, getters, setters, default parameters, field initializers, Date subclasses, interface-typed module objects",
    files: orch(`  const a = /*NWC1001*/Date.now.call(null);\n  const b = /*NWC1003*/Math.random.apply(Math, []);\n  const c = /*NWC1001*/Date.now.bind(Date)();\n  const d = /*NWC1001*/(0, Date.now)();\n  /*NWC1013*/(0, eval)("1");\n  const e = /*NWC1003*/later();\n  const f = obj.stamp;\n  const s = new Seeded();\n  s.seed = 1;\n  const g = new Child();\n  const h = /*NWC1002*/new Clock();\n  const i = /*NWC1002*/new (class extends Date {})();\n  const j = new Legacy();\n  const k = withDefault();\n  /*NWC1005*/perf.now();\n  /*NWC1004*/webcrypto.getRandomValues(new Uint8Array(1));`,
      `import { performance as perf } from "node:perf_hooks";\nimport { webcrypto } from "node:crypto";\nlet later = Math.random;\nconst obj = { get stamp() { return /*NWC1001*/Date.now(); } };\nclass Seeded { set seed(v: number) { /*NWC1003*/Math.random(); } }\nclass Stamped { at = /*NWC1001*/Date.now(); }\nclass Child extends Stamped {}\nclass Clock extends Date {}\nclass Legacy extends Date { constructor() { /*NWC1002*/super(); } }\nfunction withDefault(t = /*NWC1001*/Date.now()) { return t; }`),
  },
  { name: "critical-section calls written with literal keys and optional chaining", files: orch(`  await using l = await ctx["lock"](account.id(input));\n  await /*NWC4002*/ctx["entity"](audit, input).note(1);\n  /*NWC4003*/ctx?.signal(account, input).add(1);\n  await /*NWC4001*/ctx["transaction"]([account.id("b")], async (tx) => 1);`, entities) },
  {
    name: "transitively through helpers, class methods and other modules",
    files: {
      "main.ts": `${PRELUDE}import { Store, stamp } from "./util.ts";\nexport const o = orchestration("o", async (ctx, input: string) => {\n  const a = stamp(input);\n  const b = new Store().read();\n  return a + b;\n});\n`,
      "util.ts": `export function stamp(s: string): string { return s + inner(); }\nfunction inner(): number { return /*NWC1003*/Math.random(); }\nexport class Store {\n  read(): number { return /*NWC1001*/Date.now(); }\n}\n`,
    },
  },
  {
    name: "packages from node_modules judged by the known-effect list",
    files: {
      "main.ts": `${PRELUDE}import axios from "axios";\nimport { v4 } from "uuid";\nexport const o = orchestration("o", async (ctx, input: string) => {\n  const id = /*NWC1004*/v4();\n  /*NWC1007*/axios.get(input);\n  return id;\n});\n`,
      "node_modules/axios/package.json": `{ "name": "axios", "version": "1.0.0", "types": "index.d.ts" }`,
      "node_modules/axios/index.d.ts": `declare const axios: { get(url: string): Promise<unknown> };\nexport default axios;\n`,
      "node_modules/uuid/package.json": `{ "name": "uuid", "version": "9.0.0", "types": "dist/index.d.ts" }`,
      "node_modules/uuid/dist/index.d.ts": `export declare function v4(): string;\nexport declare function validate(s: string): boolean;\n`,
    },
  },
  {
    name: "functions passed by name are followed",
    files: orch(`  const xs = [input].map(stamp);\n  [1].forEach(Store.bump);`, `function stamp(s: string) { return s + /*NWC1003*/Math.random(); }\nlet total = 0;\nclass Store { static bump(n: number) { /*NWC1011*/total += n; } }`),
  },
  {
    name: "ctx helper functions are roots",
    files: { "main.ts": `${PRELUDE}export async function twice(ctx: OrchestrationContext, s: string): Promise<string> {\n  const t = /*NWC1001*/Date.now();\n  return s + s + t;\n}\n` },
  },
  {
    name: "re-exported alias of Date.now",
    files: {
      "main.ts": `${PRELUDE}import { tick } from "./b.ts";\nexport const o = orchestration("o", async (ctx, input: string) => /*NWC1001*/tick());\n`,
      "b.ts": `export { now as tick } from "./c.ts";\n`,
      "c.ts": `export const now = Date.now;\n`,
    },
  },
];

/** Look-alikes: must produce no finding at all. */
export const ACCEPTED: Case[] = [
  { name: "ctx time and randomness, conversions, pure Math", lookalikeFor: ["NWC1001", "NWC1002", "NWC1003", "NWC1004", "NWC1005", "NWC1006", "NWC1009", "NWC1010", "NWC1012", "NWC1013"], files: orch(`  const a = ctx.now() + ctx.random();\n  const u = ctx.uuid();\n  const d = new Date(ctx.now());\n  const e = Date.UTC(2020, 0, 1) + Math.max(1, 2) + Math.floor(1.5);\n  const p = Date.parse("2020-01-01");`) },
  { name: "shadowed Date and Math", lookalikeFor: ["NWC1001", "NWC1002", "NWC1003"], files: orch(`  class Date { static now() { return 1; } }\n  const Math = { random: () => 4 };\n  const a = Date.now() + Math.random();`) },
  { name: "I/O inside activities and entity operations", lookalikeFor: ["NWC1007", "NWC1008", "NWC1001", "NWC1003"], files: orch(`  await ctx.call(read, "hosts.txt");`, `import { readFileSync } from "node:fs";\nconst read = activity("read", async (p: string) => readFileSync(p, "utf8") + Date.now() + Math.random());\nconst e = entity("E", { init: () => 0, ops: { t: () => Date.now() } });`) },
  {
    name: "pure package members",
    files: {
      "main.ts": `${PRELUDE}import { validate } from "uuid";\nexport const o = orchestration("o", async (ctx, input: string) => validate(input));\n`,
      "node_modules/uuid/package.json": `{ "name": "uuid", "version": "9.0.0", "types": "dist/index.d.ts" }`,
      "node_modules/uuid/dist/index.d.ts": `export declare function v4(): string;\nexport declare function validate(s: string): boolean;\n`,
    },
  },
  { name: "recursive helpers terminate", lookalikeFor: ["NWC1003"], files: orch(`  const n = fib(5) + even(4);`, `function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\nfunction even(n: number): number { return n === 0 ? 1 : odd(n - 1); }\nfunction odd(n: number): number { return n === 0 ? 0 : even(n - 1); }`) },
  { name: "code outside orchestrations", lookalikeFor: ["NWC1011", "NWC1001", "NWC1003"], files: orch(`  await ctx.sleep(1);`, `export function unrelated() { return Date.now() + Math.random(); }\nlet n = 0;\nexport function bump() { n++; }`) },
  { name: "local mutable state in the orchestration", lookalikeFor: ["NWC1011", "NWC2001"], files: orch(`  let n = 0;\n  const xs: string[] = [];\n  const m = new Map<string, number>();\n  n++;\n  xs.push(input);\n  m.set(input, n);\n  await ctx.sleep(1);\n  xs.sort();`) },
  { name: "module-state look-alikes: local destructuring, copies, instance fields through this, user methods named like mutators, shadowing parameters", lookalikeFor: ["NWC1011"], files: orch(`  let a = 0, b = 0;\n  [a, b] = [b, a];\n  ({ a } = { a: 3 });\n  for (a of [1]) b += a;\n  const o = { x: 1 };\n  Object.assign(o, mod);\n  const copy = { ...mod };\n  copy.x = 2;\n  const k = new K();\n  k.bump();\n  k.v = 3;\n  reg.set(input);\n  fill([]);\n  [...mod.list].push(1);\n  mod.list.slice().sort();\n  const globalThis = { y: 1 };\n  globalThis.y = 2;`, `const mod = { x: 1, list: [1] };\nconst list: number[] = [];\nclass K { v = 0; bump() { this.v++; } }\nclass Reg { set(_k: string) { return 1; } }\nconst reg = new Reg();\nfunction fill(list: number[]) { list.push(1); return list; }`) },
  { name: "effect look-alikes: reassigned lets, Date subclasses given a time, pure accessors, bound pure helpers", lookalikeFor: ["NWC1001", "NWC1002", "NWC1003", "NWC1011"], files: orch(`  let n = Date.now;\n  n = () => 0;\n  n();\n  const a = new At(ctx.now());\n  const f = new Fixed();\n  const b = new Box();\n  b.value = b.value + 1;\n  pure.call(null, 1);\n  const p = pure.bind(null)(2);\n  const d = new Date(ctx.now());\n  d.setTime(0);\n  Date.UTC(2020, 0);`, `class At extends Date {}\nclass Fixed extends Date { constructor() { super(0); } }\nclass Box { private v = 0; get value() { return this.v; } set value(x: number) { this.v = x; } }\nfunction pure(x: number) { return x + 1; }`) },
  { name: "durable awaits: ctx tasks, combinators, helpers, closures, stored tasks", lookalikeFor: ["NWC1014"], files: orch(`  await ctx.call(greet, input);\n  const t = ctx.call(greet, "b");\n  await t;\n  await Promise.all([ctx.call(greet, "a"), ctx.sleep(5)]);\n  await Promise.race([ctx.waitForEvent("go"), ctx.sleep(1000)]);\n  await Promise.all([input].map((c) => ctx.call(greet, c)));\n  await Promise.all([input].map(async (c) => { await ctx.call(greet, c); }));\n  await helper(ctx);\n  await (async () => { await ctx.sleep(1); })();\n  const saga = ctx.saga();\n  await saga.step(greet, "x");`, `${entities}\nasync function helper(c: OrchestrationContext) { await c.sleep(1); }`) },
  { name: "durable awaits: plain values in combinators, Promise.resolve/reject, iterables of tasks, compiled closures", lookalikeFor: ["NWC1014"], files: orch(`  const both = await Promise.all([1, ctx.call(greet, "a")]);\n  const first = await Promise.race([ctx.sleep(10), "now"]);\n  const settled = await Promise.allSettled([ctx.call(greet, "b"), null]);\n  const none = await Promise.all([]);\n  const r = await Promise.resolve(2);\n  const p = Promise.resolve(input);\n  await p;\n  try { await Promise.reject(new Error("x")); } catch {}\n  const tasks = new Map([[input, ctx.call(greet, input)]]);\n  await Promise.all(tasks.values());\n  await Promise.all(new Set([ctx.call(greet, "c")]));\n  const one = async (x: string) => ctx.call(greet, x);\n  await Promise.all([input].map(one));\n  async function nested(x: string) { return ctx.call(greet, x); }\n  await nested(input);\n  await one(input);\n  await twice(ctx, input);\n  const byKind = { a: async (x: string) => ctx.call(greet, x), b: async (x: string) => (await ctx.call(greet, x)) + "!" };\n  await byKind[input === "a" ? "a" : "b"](input);\n  await Promise.all([byKind.a(input), byKind[input === "b" ? "b" : "a"](input)]);\n  [both, first, settled, none, r].length;`, `${entities}\nasync function twice(c: OrchestrationContext, s: string) { return (await c.call(greet, s)) + (await c.call(greet, s)); }`) },
  { name: "data-shaped locals across awaits: tuples, entries, records, RegExp and its match arrays, DataView, kept tasks and async closures", lookalikeFor: ["NWC2001"], files: orch(`  const pair = await Promise.all([ctx.call(greet, "a"), ctx.call(count, "b")]);\n  const mixed: (number | string)[] = await Promise.all([ctx.call(count, "a"), ctx.call(greet, "b")]);\n  const entries = Object.entries({ a: 1 });\n  const fixed: readonly [string, Date] = ["x", new Date(ctx.now())];\n  const counts: Record<string, number> = {};\n  const nested = new Map<string, [number, Set<string>]>();\n  const re = /x+/g;\n  const match = re.exec(input);\n  const found: RegExpMatchArray | null = input.match(/(?<w>x)/);\n  const matches = [...input.matchAll(/x/g)];\n  const view = new DataView(new ArrayBuffer(2));\n  const maybe = pair[0]?.toUpperCase();\n  const kept = [input].map(async (x) => ctx.call(greet, x));\n  const all = Promise.all([ctx.call(greet, "c"), ctx.call(count, "d")]);\n  const later = (async () => { await ctx.sleep(1); return 2; })();\n  const again = async (x: string) => ctx.call(greet, x);\n  const typed: (x: string) => Promise<string> = async (x) => ctx.call(greet, x);\n  await ctx.sleep(1);\n  [pair, mixed, entries, fixed, counts, nested, re, match, found, matches, view, maybe].length;\n  await Promise.all(kept);\n  await all;\n  await later;\n  await again(input);\n  await typed(input);`, `${entities}\nconst count = activity("count", async (n: string) => n.length);`) },
  { name: "serializable locals across awaits", lookalikeFor: ["NWC2001"], files: orch(`  const d = new Date(ctx.now());\n  const m = new Map<string, number[]>();\n  const s = new Set<string>();\n  const big = 10n;\n  const bytes = new Uint8Array(4);\n  const err = new RangeError("x");\n  const plain = { a: 1, b: [input], c: { d: null as string | null } };\n  const task = ctx.call(greet, input);\n  const saga = ctx.saga();\n  const p = new Point(1, 2);\n  const f = () => 1;\n  f();\n  await ctx.sleep(1);\n  [d, m, s, big, bytes, err, plain, saga, p].length;\n  await task;`, `${entities}\nclass Point { constructor(public x: number, public y: number) {} }\nregisterClass({ name: "Point", ctor: Point, encode: (p: Point) => [p.x, p.y], decode: (v: any) => new Point(v[0], v[1]) });`) },
  { name: "tasks awaited, stored, combined, returned or voided; signals", lookalikeFor: ["NWC1015"], files: orch(`  await ctx.call(greet, input);\n  const t = ctx.call(greet, "a");\n  const all = Promise.all([t, ctx.sleep(1)]);\n  void ctx.call(greet, "b");\n  ctx.signal(audit, input).note(1);\n  ctx.setStatus("s");\n  const later = ctx.sleep(5).then(() => "late");\n  await all;\n  await later;`, entities) },
  { name: "continueAsNew returned directly, in a conditional, from an arrow", lookalikeFor: ["NWC1016"], files: { "main.ts": `${PRELUDE}export const o = orchestration("o", async (ctx, n: number): Promise<number> => {\n  if (n > 3) return ctx.continueAsNew(n - 1);\n  const f = async () => ctx.continueAsNew(0);\n  return n > 1 ? ctx.continueAsNew(n - 2) : n;\n});\n` } },
  { name: "lock rules: held calls, unheld signals, sequential sections", lookalikeFor: ["NWC4001", "NWC4002", "NWC4003"], files: orch(`  {\n    await using l = await ctx.lock(account.id(input), account.id("x"));\n    await ctx.entity(account, input).add(1);\n    await ctx.entity(account, "x").add(1);\n    ctx.signal(audit, input).note(1);\n  }\n  await ctx.transaction([account.id("z")], async (tx) => { await tx.entity(account, "z").add(1); return 1; });\n  await using m = await ctx.lock(account.id("y"));`, entities) },
];

/** Removes the markers; returns the clean sources and the expected `code@file:line:col` list. */
export function expectations(files: Record<string, string>): { sources: Record<string, string>; expected: string[] } {
  const sources: Record<string, string> = {};
  const expected: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    let clean = "";
    let last = 0;
    for (const m of text.matchAll(/\/\*(NWC\d{4})\*\//g)) {
      clean += text.slice(last, m.index);
      last = m.index! + m[0].length;
      const lines = clean.split("\n");
      expected.push(`${m[1]}@${name}:${lines.length}:${lines[lines.length - 1]!.length + 1}`);
    }
    clean += text.slice(last);
    sources[name] = clean;
  }
  return { sources, expected: expected.sort() };
}
