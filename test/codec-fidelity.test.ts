// The codec never changes a value: what it accepts comes back exactly (kinds, properties,
// identity), what it cannot keep it refuses at encode time, naming the path.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CodecError, decode, deserialize, encode, encodeFrame, serialize } from "../runtime/codec.ts";
import "../runtime/engine/index.ts";

const roundTrip = (v: unknown) => deserialize(serialize(v));

test("keeps null-prototype dictionaries, an own __proto__ key, frozen and sealed objects", () => {
  const dict = Object.create(null);
  dict.__proto__ = 1;
  dict.x = { y: 2 };
  const own = JSON.parse('{"__proto__": {"evil": true}, "a": 1}');
  const back = roundTrip({ dict, own, frozen: Object.freeze({ a: [1] }), sealed: Object.seal({ b: 1 }), fixed: Object.preventExtensions({ c: 1 }) }) as any;
  assert.is(Object.getPrototypeOf(back.dict), null);
  assert.equal(Object.keys(back.dict), ["__proto__", "x"]);
  assert.is(back.dict.__proto__, 1);
  assert.is(Object.getPrototypeOf(back.own), Object.prototype, "an own __proto__ key never sets the prototype");
  assert.equal(Object.keys(back.own), ["__proto__", "a"]);
  assert.equal(Object.getOwnPropertyDescriptor(back.own, "__proto__")!.value, { evil: true });
  assert.ok(Object.isFrozen(back.frozen));
  assert.not.ok(Object.isFrozen(back.frozen.a), "freezing is not deep, as on the original");
  assert.ok(Object.isSealed(back.sealed) && !Object.isFrozen(back.sealed));
  assert.ok(!Object.isExtensible(back.fixed) && !Object.isSealed(back.fixed));
});

test("keeps an array's extra properties (a RegExp match) and frozen arrays", () => {
  const match = /(?<word>b+)/.exec("abbc")!;
  const back = roundTrip({ match, frozen: Object.freeze([1, 2]) }) as any;
  assert.ok(Array.isArray(back.match));
  assert.equal([...back.match], ["bb", "bb"]);
  assert.is(back.match.index, 1);
  assert.is(back.match.input, "abbc");
  assert.is(Object.getPrototypeOf(back.match.groups), null);
  assert.is(back.match.groups.word, "bb");
  assert.ok(Object.isFrozen(back.frozen));
});

test("keeps an Invalid Date, and Error classes whatever their name", () => {
  const renamed = new TypeError("t");
  renamed.name = "Custom";
  const plain = new Error("e");
  Object.defineProperty(plain, "name", { value: "TypeError", writable: true, configurable: true, enumerable: false });
  const [d, a, b] = roundTrip([new Date(NaN), renamed, plain]) as [Date, Error, Error];
  assert.ok(d instanceof Date && Number.isNaN(d.getTime()));
  assert.ok(a instanceof TypeError);
  assert.is(a.name, "Custom");
  assert.not.ok(b instanceof TypeError, "an Error named TypeError stays an Error");
  assert.is(b.name, "TypeError");
});

test("keeps a Node Buffer as a Buffer, with only its own bytes", () => {
  const b = Buffer.from("hello");
  const back = roundTrip({ b, again: b }) as { b: Buffer; again: Buffer };
  assert.ok(Buffer.isBuffer(back.b));
  assert.is(back.b.toString(), "hello");
  assert.is(back.again, back.b);
  assert.ok(serialize(b).length < 100, "the pool the Buffer lives in is not stored");
});

test("refuses, naming the path, what it cannot keep", () => {
  class Sub extends Error {}
  class Bytes extends Uint8Array {}
  class When extends Date {}
  const cases: [unknown, RegExp][] = [
    [{ o: { get g() { return 1; } } }, /\$\.o: its property "g" is a getter or setter/],
    [{ o: { set s(_v: number) {} } }, /\$\.o: its property "s" is a getter or setter/],
    [{ o: { [Symbol("k")]: 1 } }, /\$\.o: it has a symbol-keyed property \[Symbol\(k\)\]/],
    [{ o: Object.defineProperty({}, "x", { value: 1, enumerable: false }) }, /\$\.o: its property "x" is non-enumerable/],
    [{ o: Object.defineProperty({}, "x", { value: 1, enumerable: true, writable: false, configurable: true }) }, /\$\.o: its property "x" has attributes of its own/],
    [{ a: [1, , 3] }, /\$\.a\[1\]: it is a hole/],
    [{ e: new Sub("x") }, /\$\.e: it is an instance of Sub, a subclass of Error/],
    [{ t: new Bytes(2) }, /\$\.t: it is an instance of Bytes, a subclass of a typed array/],
    [{ d: new When(0) }, /\$\.d: it is an instance of When, a subclass of Date/],
    [{ d: Object.assign(new Date(0), { note: 1 }) }, /\$\.d: it is a Date with own properties \(note\)/],
    [{ m: new Map([[1, () => 1]]) }, /\$\.m<value 0>: it is a function/],
    [{ s: new Set([Symbol("x")]) }, /\$\.s<item 0>: it is a symbol/],
    [{ deep: { list: [{}, { f() {} }] } }, /\$\.deep\.list\[1\]: its property "f" is non-enumerable|\$\.deep\.list\[1\]\.f: it is a function/],
    [new SharedArrayBuffer(4), /\$: it is an instance of class SharedArrayBuffer/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => encode(value), (e: Error) => e instanceof CodecError && message.test(e.message), `${message}`);
  }
});

test("a getter is never run by encode", () => {
  let runs = 0;
  assert.throws(() => encode({ get g() { return ++runs; } }), (e: Error) => e instanceof CodecError);
  assert.is(runs, 0);
});

test("a 100,000-node list and a dense DAG round-trip in linear time, and stay shallow JSON", () => {
  let list: any = null;
  for (let i = 0; i < 100_000; i++) list = { v: i, next: list };
  const back = roundTrip(list) as any;
  let n = 0;
  for (let c = back; c; c = c.next) assert.is(c.v, 99_999 - n++);
  assert.is(n, 100_000);
  let node: any = { leaf: true };
  for (let i = 0; i < 1000; i++) node = { a: node, b: node };
  const dag = roundTrip(node) as any;
  let depth = 0;
  for (let c = dag; !c.leaf; c = c.a) {
    assert.is(c.a, c.b);
    depth++;
  }
  assert.is(depth, 1000);
  assert.ok(serialize(node).length < 40_000, "each shared node is written once");
});

test("corrupt data is a CodecError, not a crash", () => {
  for (const bad of [{ $nwc: "ref", i: 7 }, { $nwc: "bytes", t: "Nope", v: "" }, { $nwc: "bytes", t: "ArrayBuffer", v: "***" }, { $nwc: "map", v: [1] }, { $nwc: "zzz" }, { $nwc: "date", v: "x" }]) {
    assert.throws(() => decode(bad as any), (e: Error) => e instanceof CodecError, JSON.stringify(bad));
  }
});

test("a frame keeps built-ins and namespaces by name, with their identity; a payload refuses them", () => {
  const shared = [1];
  const v = { c: console, m: Math, f: Math.max, x: shared, y: shared };
  const back = decode(JSON.parse(JSON.stringify(encodeFrame(v)))) as typeof v;
  assert.is(back.c, console);
  assert.is(back.m, Math);
  assert.is(back.f, Math.max);
  assert.is(back.y, back.x, "numbering stays right after a namespace object with enumerable members (console)");
  assert.throws(() => encode({ f: Math.max }), /\$\.f: it is a function/);
});

test.run();
