// Property: the codec decodes everything it encodes, as the same graph (kinds, properties,
// attributes, identity: sharing and cycles), over generated values of every supported kind;
// and anything holding an unsupported value is refused at encode time.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { CodecError, decode, encode } from "../runtime/codec.ts";

const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom("__proto__", "$nwc", "0", "length", "constructor"));
const primitive = fc.oneof(
  fc.string({ maxLength: 6 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined),
  fc.constantFrom(NaN, -0, Infinity, -Infinity), fc.bigInt(),
);
const leafObject = fc.oneof(
  fc.integer().map((t) => new Date(t)), fc.constant(new Date(NaN)),
  fc.constantFrom(/a+b/g, /x/iu).map((r) => new RegExp(r.source, r.flags)),
  fc.uint8Array({ maxLength: 6 }), fc.float64Array({ maxLength: 3 }), fc.bigInt64Array({ maxLength: 2 }),
  fc.uint8Array({ maxLength: 8 }).map((u) => u.buffer), fc.uint8Array({ maxLength: 8 }).map((u) => Buffer.from(u)),
  fc.string({ maxLength: 5 }).map((m) => new RangeError(m)), fc.string({ maxLength: 5 }).map((m) => new Error(m, { cause: m })),
);

const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, primitive, leafObject, tie("array"), tie("object"), tie("map"), tie("set"), tie("special")),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(key, tie("value"), { maxKeys: 4 }).map((o) => {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o)) Object.defineProperty(out, k, { value: o[k], writable: true, enumerable: true, configurable: true });
    return out;
  }),
  map: fc.array(fc.tuple(tie("value"), tie("value")), { maxLength: 3 }).map((es) => new Map(es)),
  set: fc.array(tie("value"), { maxLength: 3 }).map((xs) => new Set(xs)),
  special: fc.tuple(tie("object"), fc.constantFrom("null", "frozen", "sealed", "match")).map(([o, how]) => {
    if (how === "null") return Object.assign(Object.create(null), o);
    if (how === "frozen") return Object.freeze(o);
    if (how === "sealed") return Object.seal(o);
    return Object.assign(/(?<g>b)/.exec("ab")!, { extra: o });
  }),
}));

/** Containers of a value, to wire extra references (sharing and cycles) between them. */
function containers(root: unknown): object[] {
  const out: object[] = [];
  const seen = new Set<object>();
  const work = [root];
  while (work.length) {
    const v = work.pop();
    if (typeof v !== "object" || v === null || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v) || (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
      if (Object.isExtensible(v)) out.push(v);
      work.push(...Object.values(v));
    } else if (v instanceof Map) for (const [k, x] of v) work.push(k, x);
    else if (v instanceof Set) work.push(...v);
  }
  return out;
}

const aliased = fc.tuple(value, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 })).map(([v, links]) => {
  const root = { v };
  const cs = containers(root);
  links.forEach(([from, to], i) => {
    const a = cs[from % cs.length]!, b = cs[to % cs.length]!;
    if (Array.isArray(a)) a.push(b);
    else (a as any)[`link${i}`] = b;
  });
  return root;
});

/** Same graph: a bijection between the objects of a and b under which every kind, property and attribute agree. */
function sameGraph(a: unknown, b: unknown): string | undefined {
  const pairs = new Map<object, object>();
  const work: [unknown, unknown, string][] = [[a, b, "$"]];
  while (work.length) {
    const [x, y, at] = work.pop()!;
    if (typeof x !== "object" || x === null) {
      if (typeof x === "function") return `${at}: a function`;
      if (!Object.is(x, y)) return `${at}: ${String(x)} became ${String(y)}`;
      continue;
    }
    if (typeof y !== "object" || y === null) return `${at}: an object became ${String(y)}`;
    const mapped = pairs.get(x);
    if (mapped !== undefined) {
      if (mapped !== y) return `${at}: a shared object became a copy`;
      continue;
    }
    pairs.set(x, y);
    if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return `${at}: its prototype changed`;
    if (Object.isExtensible(x) !== Object.isExtensible(y) || Object.isFrozen(x) !== Object.isFrozen(y) || Object.isSealed(x) !== Object.isSealed(y)) return `${at}: its integrity level changed`;
    if (x instanceof Date && !Object.is(x.getTime(), (y as Date).getTime())) return `${at}: date changed`;
    if (x instanceof RegExp && (x.source !== (y as RegExp).source || x.flags !== (y as RegExp).flags)) return `${at}: regexp changed`;
    if (x instanceof Error) {
      const e = y as Error;
      if (x.name !== e.name || x.message !== e.message || x.stack !== e.stack) return `${at}: error changed`;
    }
    if (ArrayBuffer.isView(x)) {
      const v = y as ArrayBufferView;
      // A Buffer keeps its own bytes, not its place in Node's pool (documented): its offset may differ.
      if ((!Buffer.isBuffer(x) && x.byteOffset !== v.byteOffset) || x.byteLength !== v.byteLength) return `${at}: view changed`;
      if (!Buffer.isBuffer(x)) work.push([x.buffer, v.buffer, `${at}.buffer`]);
      else if (!Buffer.from(x).equals(Buffer.from(v.buffer, v.byteOffset, v.byteLength))) return `${at}: bytes changed`;
    }
    if (x instanceof ArrayBuffer && !Buffer.from(x).equals(Buffer.from(y as ArrayBuffer))) return `${at}: bytes changed`;
    if (x instanceof Map) {
      const xs = [...x], ys = [...(y as Map<unknown, unknown>)];
      if (xs.length !== ys.length) return `${at}: map size changed`;
      xs.forEach(([k, v], i) => work.push([k, ys[i]![0], `${at}<key ${i}>`], [v, ys[i]![1], `${at}<value ${i}>`]));
    }
    if (x instanceof Set) {
      const xs = [...x], ys = [...(y as Set<unknown>)];
      if (xs.length !== ys.length) return `${at}: set size changed`;
      xs.forEach((v, i) => work.push([v, ys[i], `${at}<item ${i}>`]));
    }
    if (ArrayBuffer.isView(x)) continue; // indices compared through the bytes
    const kx = Reflect.ownKeys(x), ky = Reflect.ownKeys(y);
    if (kx.length !== ky.length || kx.some((k, i) => k !== ky[i])) return `${at}: keys ${String(kx)} became ${String(ky)}`;
    for (const k of kx) {
      const dx = Object.getOwnPropertyDescriptor(x, k)!, dy = Object.getOwnPropertyDescriptor(y, k)!;
      if (dx.enumerable !== dy.enumerable || dx.writable !== dy.writable || dx.configurable !== dy.configurable) return `${at}.${String(k)}: attributes changed`;
      if (k !== "stack") work.push([dx.value, dy.value, `${at}.${String(k)}`]);
    }
  }
  return undefined;
}

test("decode(encode(x)) is x, up to identity, for generated values with sharing and cycles", () => {
  fc.assert(fc.property(aliased, (v) => {
    const back = decode(JSON.parse(JSON.stringify(encode(v))));
    const diff = sameGraph(v, back);
    if (diff) throw new Error(diff);
  }), { numRuns: 400, seed: 20261204 });
});

test("the same deep down: past the encoder's recursion and out-of-line depths (work stack, spilled JSON)", () => {
  fc.assert(fc.property(aliased, (v) => {
    let deep: unknown = v;
    for (let i = 0; i < 300; i++) deep = i % 2 ? [deep, v] : { d: deep, v };
    const back = decode(JSON.parse(JSON.stringify(encode(deep))));
    const diff = sameGraph(deep, back);
    if (diff) throw new Error(diff);
  }), { numRuns: 100, seed: 20261204 });
});

const unsupported = fc.constantFrom<[string, () => unknown]>(
  ["a function", () => () => 1],
  ["a symbol", () => Symbol("s")],
  ["a promise", () => Promise.resolve(1)],
  ["a class instance", () => new (class Thing {})()],
  ["an Error subclass", () => new (class Oops extends Error {})("x")],
  ["a typed-array subclass", () => new (class Bytes extends Uint8Array {})(1)],
  ["a getter", () => ({ get g() { return 1; } })],
  ["a symbol key", () => ({ [Symbol("k")]: 1 })],
  ["a hidden property", () => Object.defineProperty({}, "h", { value: 1 })],
  ["a hole", () => [1, , 2]],
  ["a WeakMap", () => new WeakMap()],
);

test("a value holding anything unsupported is refused at encode time", () => {
  fc.assert(fc.property(aliased, unsupported, fc.nat(), (v, [, make], at) => {
    const cs = containers(v);
    const target = cs[at % cs.length]!;
    if (Array.isArray(target)) target.push(make());
    else (target as any).bad = make();
    try {
      encode(v);
    } catch (e) {
      if (e instanceof CodecError && /cannot serialize \$/.test(e.message)) return;
      throw e;
    }
    throw new Error("encode accepted an unsupported value");
  }), { numRuns: 300, seed: 20261204 });
});

test.run();
