import { test } from "uvu";
import * as assert from "uvu/assert";
import { encode, decode, serialize, deserialize, registerClass, CodecError } from "../runtime/codec.ts";

const roundTrip = (v: unknown) => deserialize(serialize(v));

test("keeps undefined, -0, NaN, Infinity and bigint", () => {
  const back = roundTrip({ a: undefined, z: -0, n: NaN, i: -Infinity, b: 12345678901234567890n }) as any;
  assert.ok("a" in back);
  assert.is(back.a, undefined);
  assert.ok(Object.is(back.z, -0));
  assert.ok(Number.isNaN(back.n));
  assert.is(back.i, -Infinity);
  assert.is(back.b, 12345678901234567890n);
});

test("keeps Date, Map, Set and typed arrays", () => {
  const back = roundTrip({
    d: new Date(1700000000123),
    m: new Map<unknown, unknown>([["k", new Set([1, 2])], [3, { x: 1 }]]),
    u: new Uint8Array([1, 2, 255]),
    f: new Float64Array([1.5, -2]),
  }) as any;
  assert.ok(back.d instanceof Date);
  assert.is(back.d.getTime(), 1700000000123);
  assert.ok(back.m instanceof Map);
  assert.equal([...back.m.get("k")], [1, 2]);
  assert.equal(back.m.get(3), { x: 1 });
  assert.ok(back.u instanceof Uint8Array);
  assert.equal([...back.u], [1, 2, 255]);
  assert.ok(back.f instanceof Float64Array);
  assert.equal([...back.f], [1.5, -2]);
});

test("keeps RegExp (source, flags, lastIndex) and DataView", () => {
  const re = /a(b)+/gi;
  re.lastIndex = 3;
  const view = new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2);
  const back = roundTrip({ re, view }) as { re: RegExp; view: DataView };
  assert.ok(back.re instanceof RegExp);
  assert.is(back.re.source, "a(b)+");
  assert.is(back.re.flags, "gi");
  assert.is(back.re.lastIndex, 3);
  assert.ok(back.view instanceof DataView);
  assert.equal([back.view.byteLength, back.view.getUint8(0), back.view.getUint8(1)], [2, 8, 7]);
});

test("keeps Error name, message and stack", () => {
  const e = new RangeError("too far");
  const custom = new Error("declined");
  custom.name = "PaymentDeclined";
  const [a, b] = roundTrip([e, custom]) as Error[];
  assert.ok(a instanceof RangeError);
  assert.is(a.message, "too far");
  assert.is(a.stack, e.stack);
  assert.is(b.name, "PaymentDeclined");
  assert.is(b.message, "declined");
});

test("keeps an error's cause and an AggregateError's errors, hidden as on the originals", () => {
  const cause = new TypeError("socket closed");
  const wrapped = new Error("payment failed", { cause });
  const any = new AggregateError([new RangeError("a"), new Error("b")], "All promises were rejected");
  const [w, g] = roundTrip([wrapped, any]) as [Error, AggregateError];
  assert.ok(w.cause instanceof TypeError);
  assert.is((w.cause as Error).message, "socket closed");
  assert.equal(Object.keys(w), Object.keys(wrapped));
  assert.ok(g instanceof AggregateError);
  assert.is(g.message, "All promises were rejected");
  assert.equal(g.errors.map((e: Error) => `${e.name}: ${e.message}`), ["RangeError: a", "Error: b"]);
  assert.equal(Object.keys(g), Object.keys(any));
});

test("a user object with a $nwc key is not mistaken for a tag", () => {
  const v = { $nwc: "undefined", other: [1] };
  assert.equal(roundTrip(v), v);
});

test("rejects functions, symbols, promises and unregistered classes, naming the path", () => {
  class Thing { x = 1; }
  assert.throws(() => encode({ a: [1, () => 1] }), (e: Error) => e instanceof CodecError && /\$\.a\[1\].*function/.test(e.message));
  assert.throws(() => encode({ s: Symbol("x") }), /\$\.s.*symbol/);
  assert.throws(() => encode({ p: Promise.resolve(1) }), /\$\.p.*Promise/);
  assert.throws(() => encode({ t: new Thing() }), /\$\.t.*class Thing.*registerClass/);
});

test("keeps cycles and shared references: one object stays one object", () => {
  const a: any = { b: {} };
  a.b.a = a;
  const shared = { n: 1 };
  const m = new Map<unknown, unknown>([[shared, shared]]);
  const back = roundTrip({ a, x: shared, y: [shared], m, s: new Set([shared]) }) as any;
  assert.is(back.a.b.a, back.a);
  assert.is(back.y[0], back.x);
  assert.is([...back.m.keys()][0], back.x);
  assert.is(back.m.get(back.x), back.x);
  assert.ok(back.s.has(back.x));
});

test("keeps the identity of dates, errors, registered class instances and buffers", () => {
  class Box { constructor(public v: number) {} }
  registerClass({ name: "test.Box", ctor: Box, encode: (b) => b.v, decode: (v: number) => new Box(v) });
  const d = new Date(5), e = new Error("x"), box = new Box(1);
  const buffer = new ArrayBuffer(8);
  const whole = new Uint8Array(buffer), tail = whole.subarray(4), words = new DataView(buffer, 2, 4);
  const back = roundTrip([d, d, e, e, box, box, whole, tail, words]) as any[];
  assert.is(back[0], back[1]);
  assert.is(back[2], back[3]);
  assert.is(back[4], back[5]);
  assert.ok(back[4] instanceof Box);
  back[7][0] = 9;
  back[8].setUint8(0, 7);
  assert.equal([...back[6]], [0, 0, 7, 0, 9, 0, 0, 0], "views of one buffer still share its bytes");
});

test("a cycle through a registered class's own data is refused: its codec cannot rebuild it", () => {
  class Node1 { constructor(public next: unknown) {} }
  registerClass({ name: "test.Node1", ctor: Node1, encode: (n) => n.next, decode: (next) => new Node1(next) });
  const n = new Node1(null);
  n.next = [n];
  assert.throws(() => encode(n), /cannot serialize \$\[0\].*cycle its codec cannot rebuild/);
});

test("registered classes round-trip", () => {
  class Point { constructor(public x: number, public y: number) {} }
  registerClass({ name: "test.Point", ctor: Point, encode: (p) => [p.x, p.y], decode: ([x, y]) => new Point(x, y) });
  const back = roundTrip({ p: new Point(1, 2) }) as any;
  assert.ok(back.p instanceof Point);
  assert.is(back.p.y, 2);
});

test("plain JSON passes through unchanged", () => {
  const v = { a: 1, b: "x", c: [true, null, { d: 2.5 }] };
  assert.equal(encode(v), v);
  assert.equal(decode(encode(v) as any), v);
});

test.run();
