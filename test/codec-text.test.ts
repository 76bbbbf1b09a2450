// The frame text written directly (runtime/codec/encode-text.ts) is, character for character, the
// JSON text of the encoded tree (codec/encode.ts), on generated frames holding every kind of value;
// where it gives up, encodeFrameText gives the tree's text or throws the tree's error.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { decode, encodeFrameChecked, encodeFrameText, registerClass } from "../runtime/codec.ts";
import { frameTextOf } from "../runtime/codec/encode-text.ts";
import { defineMachine } from "../runtime/engine/index.ts";
import { TaskRef } from "../runtime/engine/values.ts";

class Money {
  constructor(readonly cents: number, readonly note: unknown) {}
}
registerClass({ name: "test.Money", ctor: Money, encode: (m) => ({ cents: m.cents, note: m.note }), decode: (d: any) => new Money(d.cents, d.note) });

const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom("__proto__", "$nwc", "0", "7", "length", "a\"b", "é", "\u2028"));
const text = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: "binary", maxLength: 4 }), fc.string({ minLength: 39, maxLength: 45 }), fc.constantFrom("\ud800", "a\\b", "\n", "$nwc", "__proto__"));
const primitive = fc.oneof(
  text, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined),
  fc.constantFrom(NaN, -0, Infinity, -Infinity, 1e21, 5e-324), fc.bigInt(),
);
const special = fc.constantFrom<() => unknown>(
  () => new Date(5), () => new Map([[1, 2]]), () => new Set([1]), () => new Error("e"), () => new Uint8Array(2), () => Buffer.from("ab"),
  () => Math.max, () => Array.prototype.push, () => new TaskRef(3), () => Object.freeze({ a: 1 }), () => Object.create(null),
  () => Object.defineProperty({}, "g", { get: () => 1, enumerable: true }), () => Object.defineProperty({}, "h", { value: 1, enumerable: false }),
  () => ({ [Symbol("s")]: 1 }), () => Symbol("leaf"), () => [1, , 3], () => Object.assign([1], { extra: 2 }), () => () => 1,
  () => new (class Unregistered {})(), () => Promise.resolve(1),
).map((make) => make());

const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, primitive, tie("array"), tie("object"), tie("money"), tie("map"), tie("set"), tie("date"), tie("error"), special),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(key, tie("value"), { maxKeys: 4 }).map((o) => {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o)) Object.defineProperty(out, k, { value: o[k], writable: true, enumerable: true, configurable: true });
    return out;
  }),
  money: fc.tuple(fc.integer(), tie("value")).map(([c, n]) => new Money(c, n)),
  map: fc.array(fc.tuple(tie("value"), tie("value")), { maxLength: 3 }).map((es) => new Map(es)),
  set: fc.array(tie("value"), { maxLength: 3 }).map((xs) => new Set(xs)),
  date: fc.oneof(fc.integer(), fc.constant(NaN)).map((t) => new Date(t)),
  error: fc.tuple(fc.constantFrom("Error", "RangeError", "TypeError", "Aggregate", "NoMessage", "Named"), text, tie("value"), fc.option(tie("value"))).map(([kind, message, cause, extra]) => {
    const e = kind === "Aggregate" ? new AggregateError([cause], message) : kind === "NoMessage" ? new Error() : kind === "RangeError" ? new RangeError(message, { cause })
      : kind === "TypeError" ? new TypeError(message) : new Error(message, { cause });
    if (kind === "Named") e.name = "Custom";
    if (extra !== null) (e as any).detail = extra;
    return e;
  }),
}));

/** A frame of the engine holding `values` as locals and task results, some of them shared between places. */
function frameWith(values: unknown[], share: number[]): unknown {
  const machine = defineMachine({ name: "t", root: "none", version: "1" });
  const frame = machine.init(null, { instanceId: "i", nowMs: 0 }) as any;
  delete frame.input;
  frame.scopes[1] = {};
  values.forEach((v, i) => {
    frame.scopes[1][`x${i}`] = v;
    frame.tasks[i + 1] = i % 2 ? { s: 1, v } : { s: 0, w: [[0, 1]] };
  });
  share.forEach((at, i) => (frame.scopes[1][`shared${i}`] = values[at % Math.max(1, values.length)]));
  frame.branches[1] = { fn: "f#1", sc: [1], g: { label: 2 }, at: 7 };
  return frame;
}

/** The tree's text and exactness, or the error it throws. */
function viaTree(frame: unknown): { text: string; exact: boolean } | { error: string } {
  try {
    const { json, roundTripsExactly } = encodeFrameChecked(frame);
    return { text: JSON.stringify(json), exact: roundTripsExactly };
  } catch (e) {
    return { error: String(e) };
  }
}

test("the direct text equals the tree's text wherever it does not give up, on generated frames", () => {
  let direct = 0;
  fc.assert(fc.property(fc.array(value, { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 3 }), (values, share) => {
    const frame = frameWith(values, share);
    const tree = viaTree(frame);
    const fast = frameTextOf(frame);
    if (fast !== undefined) {
      direct++;
      if ("error" in tree) throw new Error(`the tree refused a frame the direct writer wrote: ${tree.error}`);
      assert.is(fast.text, tree.text);
      assert.is(fast.roundTripsExactly, tree.exact);
    }
    // What the runtime calls: the direct text, or the tree's, or the tree's error.
    let got: string;
    try {
      got = encodeFrameText(frame).text;
    } catch (e) {
      got = `error ${String(e)}`;
    }
    assert.is(got, "error" in tree ? `error ${tree.error}` : tree.text);
  }), { numRuns: 1500, seed: 20261205 });
  assert.ok(direct > 300, `only ${direct} frames were written directly: the generator exercises little of the fast path`);
});

test("Dates, Maps and Sets, shared and holding each other, are written as the tree writes them", () => {
  const day = new Date(86_400_000);
  const inner = new Set<unknown>([day, "a"]);
  const map = new Map<unknown, unknown>([[day, inner], ["self", null]]);
  map.set("self", map);
  const frame = frameWith([map, inner, new Date(NaN), day], [0, 3]);
  const fast = frameTextOf(frame);
  assert.ok(fast, "written directly");
  assert.is(fast!.text, (viaTree(frame) as { text: string }).text);
  const back: any = decode(JSON.parse(fast!.text));
  const m = back.scopes[1].x0 as Map<unknown, unknown>;
  assert.is(m.get("self"), m);
  assert.is(back.scopes[1].x3, [...m.keys()][0], "the shared Date is one object");
  assert.ok(Number.isNaN(back.scopes[1].x2.getTime()));
  // A key and a value first met inside a Map are numbered key first, as the tree numbers them.
  const key = { k: 1 }, value = { v: 2 };
  const keyed = frameWith([new Map([[key, value]])], []) as any;
  keyed.scopes[1].key = key;
  keyed.scopes[1].value = value;
  assert.is(frameTextOf(keyed)!.text, (viaTree(keyed) as { text: string }).text);
});

test("shared objects and cycles are written as the same references as the tree's", () => {
  const list: unknown[] = ["a"];
  list.push(list);
  const obj: any = { list, again: list };
  obj.self = obj;
  const money = new Money(5, obj);
  const frame = frameWith([obj, money, list, money], [0, 1, 2]);
  const fast = frameTextOf(frame);
  assert.ok(fast, "plain objects, arrays, cycles and a registered class are written directly");
  assert.is(fast!.text, (viaTree(frame) as { text: string }).text);
  assert.ok(fast!.text.includes('{"$nwc":"ref","i":'), "the text holds references");
  const back: any = decode(JSON.parse(fast!.text));
  assert.is(back.scopes[1].x0.self, back.scopes[1].x0);
  assert.is(back.scopes[1].x0.list[1], back.scopes[1].x0.list);
  assert.is(back.scopes[1].x1, back.scopes[1].x3);
});

test("it gives up, and the tree decides, on what it does not write: a class value's data referring back to it, deep nesting, bytes, special builtins and errors", () => {
  const loop = new Money(1, null);
  (loop as any).note = { back: loop };
  let deep: unknown = "leaf";
  for (let i = 0; i < 150; i++) deep = { d: deep };
  const dated = Object.assign(new Date(1), { note: "x" });
  const hiddenGetter = Object.defineProperty(new Error("g"), "cause", { get: () => 1, enumerable: false });
  for (const v of [loop, deep, new Uint8Array(2), /re/g, dated, Object.freeze(new Map()), Object.freeze(new Error("f")), hiddenGetter, Object.freeze([1])]) {
    const frame = frameWith([v], []);
    assert.is(frameTextOf(frame), undefined);
    const tree = viaTree(frame);
    if ("error" in tree) assert.throws(() => encodeFrameText(frame), (e: unknown) => String(e) === tree.error);
    else assert.is(encodeFrameText(frame).text, tree.text);
  }
});

test("a value that is not a frame is not written directly", () => {
  assert.is(frameTextOf({ a: 1 }), undefined);
  assert.is(frameTextOf("text"), undefined);
});

test.run();
