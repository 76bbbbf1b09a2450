/**
 * The encoder: any supported value to JSON-compatible data, keeping what JSON
 * would lose (see ../codec.ts for the list) and the identity of every object,
 * as structured clone does: an object met a second time (shared, or a cycle)
 * becomes `{ "$nwc": "ref", "i": n }`, n counting objects in the order they
 * were first met. The decoder meets them in the same order (depth first, in
 * property order), so it rebuilds the same graph.
 *
 * Iterative (an explicit stack, no recursion) and linear in the size of the
 * value: a 100,000-node list or a dense DAG encodes in one pass of bounded
 * stack depth. Whatever it cannot keep exactly (getters, symbol keys,
 * non-enumerable or read-only properties, array holes, subclasses of built-in
 * classes, unregistered classes, functions, ...) it refuses with a
 * `CodecError` naming the path; it never changes a value silently.
 */
import type { Json } from "../backends/types.ts";
import { bytesToBase64 } from "./bytes.ts";
import { ERROR_FIELDS, HIDDEN_ERROR_FIELDS, KIND_BY_PROTO, Kind } from "./kinds.ts";
import { classesByCtor, CodecError, hostCodecs } from "./registry.ts";

/**
 * A step of the path, kept on a stack and formatted only for an error message:
 * a string is a property, a number >= 0 an array index, a number < 0 a Map or
 * Set entry (see entryPart), an object a fixed label.
 */
type Part = string | number | { label: string };
const BUFFER_PART = { label: ".<buffer>" };
const DATA_PART = { label: "" };

/** Map key i, Map value i, Set item i, as negative numbers: no string or object per entry. */
function entryPart(i: number, which: 1 | 2 | 3): number {
  return -(3 * i + which);
}

function formatPart(part: Part): string {
  if (typeof part === "string") return /^[A-Za-z_$][\w$]*$/.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`;
  if (typeof part === "object") return part.label;
  if (part >= 0) return `[${part}]`;
  const n = -part - 1;
  return [`<key ${Math.floor(n / 3)}>`, `<value ${Math.floor(n / 3)}>`, `<item ${Math.floor(n / 3)}>`][n % 3]!;
}

/** Marks, in the `outs` stack, the end of a container's children: pops its path step. */
const EXIT: Json[] = [];

/**
 * Every SPILL_DEPTH levels of nesting, a container's encoding is stored out of
 * line, in the root's `s` array (`{ "$nwc": "graph", "v": root, "s": [...] }`),
 * and referenced by `{ "$nwc": "at", "i": k }`: the JSON stays shallow enough
 * for JSON.stringify, which recurses (V8 overflows at a few thousand levels).
 * 256 path steps are at most ~800 JSON levels (a Map entry adds three).
 */
const SPILL_DEPTH = 256;

type Mode = "frozen" | "sealed" | "nonext" | undefined;

function modeOf(obj: object): Mode {
  if (Object.isExtensible(obj)) return undefined;
  return Object.isFrozen(obj) ? "frozen" : Object.isSealed(obj) ? "sealed" : "nonext";
}

/** Writes a property of an encoded object; `__proto__` as an own key, never as the prototype. */
function put(out: any, key: string | number, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  else out[key] = value;
}

function hasOwn(obj: object, key: PropertyKey): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

export function encodeValue(value: unknown, root: string, host: boolean): Json {
  return new Encoder(root, host).run(value);
}

class Encoder {
  private readonly ids = new Map<object, number>();
  /** Registered-class and host values whose data is being encoded: a reference back to one is a cycle their codec cannot rebuild. */
  private readonly open = new Set<object>();
  // The work stack as four parallel arrays: no object allocated per value (this runs twice per step).
  private readonly vals: unknown[] = [];
  private readonly outs: any[] = [];
  private readonly slots: (string | number)[] = [];
  private readonly parts: Part[] = [];
  /** Path steps of the containers being encoded (the ancestors of what is on top of the stack). */
  private readonly path: Part[] = [];
  /** Encodings of deep containers, stored out of line (SPILL_DEPTH). */
  private readonly spill: Json[] = [];

  constructor(private readonly root: string, private readonly host: boolean) {}

  run(value: unknown): Json {
    const holder: Json[] = [null];
    if (!this.isObject(value)) return this.leaf(value, DATA_PART);
    this.push(value, holder, 0, DATA_PART);
    while (this.vals.length > 0) {
      const v = this.vals.pop();
      const out = this.outs.pop();
      const slot = this.slots.pop()!;
      const part = this.parts.pop()!;
      if (out === EXIT) {
        this.path.pop();
        if (v !== undefined) this.open.delete(v as object);
        continue;
      }
      const depth = this.path.length;
      let json = this.object(v as object, part);
      if (depth % SPILL_DEPTH === 0 && depth > 0 && this.path.length > depth) {
        // A container was entered at a spill depth: its encoding goes out of line.
        this.spill.push(json);
        json = { $nwc: "at", i: this.spill.length - 1 };
      }
      put(out, slot, json);
    }
    return this.spill.length === 0 ? holder[0]! : { $nwc: "graph", v: holder[0]!, s: this.spill };
  }

  private isObject(v: unknown): v is object {
    return (typeof v === "object" && v !== null) || typeof v === "function";
  }

  private push(v: unknown, out: any, slot: string | number, part: Part): void {
    this.vals.push(v);
    this.outs.push(out);
    this.slots.push(slot);
    this.parts.push(part);
  }

  /** A child value: a leaf is encoded now; an object gets a placeholder (keeping key order) and is queued. */
  private child(v: unknown, out: any, slot: string | number, part: Part): void {
    if (this.isObject(v)) {
      put(out, slot, null);
      this.push(v, out, slot, part);
    } else {
      put(out, slot, this.leaf(v, part));
    }
  }

  /** Starts a container: its path step, and the EXIT entry below its children. Returns where the children start. */
  private enter(part: Part, close?: object): number {
    this.path.push(part);
    this.push(close, EXIT, 0, DATA_PART);
    return this.vals.length;
  }

  /** Children were queued first to last; the stack pops last first, so reverse them. */
  private reverseFrom(start: number): void {
    for (const stack of [this.vals, this.outs, this.slots, this.parts] as unknown[][]) {
      for (let i = start, j = stack.length - 1; i < j; i++, j--) {
        const t = stack[i];
        stack[i] = stack[j];
        stack[j] = t;
      }
    }
  }

  /** Undoes enter() and the children queued since, for a container refused after all. */
  private abandon(start: number): void {
    this.vals.length = this.outs.length = this.slots.length = this.parts.length = start - 1;
    this.path.pop();
  }

  private pathTo(part: Part): string {
    let out = this.root;
    for (const p of this.path) out += formatPart(p);
    return out + formatPart(part);
  }

  private fail(part: Part, why: string): never {
    throw new CodecError(`cannot serialize ${this.pathTo(part)}: ${why}`);
  }

  private leaf(v: unknown, part: Part): Json {
    switch (typeof v) {
      case "string":
      case "boolean":
        return v;
      case "number":
        if (Number.isFinite(v) && !Object.is(v, -0)) return v;
        return { $nwc: "number", v: Object.is(v, -0) ? "-0" : String(v) };
      case "undefined":
        return { $nwc: "undefined" };
      case "bigint":
        return { $nwc: "bigint", v: v.toString() };
      case "symbol":
        return this.fail(part, "it is a symbol; use a string instead");
    }
    if (v === null) return null;
    throw new Error(`nwc codec: leaf() called with an object (bug)`);
  }

  private object(v: object, part: Part): Json {
    const seen = this.ids.get(v);
    if (seen !== undefined) {
      if (this.open.has(v)) this.fail(part, "it refers back to a value of a registered class from inside that value's own data (a cycle its codec cannot rebuild)");
      return { $nwc: "ref", i: seen };
    }
    this.ids.set(v, this.ids.size);
    if (typeof v === "function") return this.refuse(v, part, "it is a function; keep only data in frames and payloads");
    const proto = Object.getPrototypeOf(v);
    if (proto === Array.prototype) return this.array(v as unknown[], part);
    if (proto === Object.prototype || proto === null) return this.plain(v, proto, part);
    const kind = KIND_BY_PROTO.get(proto);
    if (kind !== undefined) return this.builtin(v, kind, part);
    const registered = classesByCtor.get(proto?.constructor);
    if (registered) return this.wrapped(v, { $nwc: "class", c: registered.name, v: null }, registered.encode(v), part);
    if (v instanceof Promise) return this.refuse(v, part, "it is a Promise; await it first, or keep a durable task instead");
    const name = typeof proto?.constructor === "function" && proto.constructor.name ? proto.constructor.name : "an object with a custom prototype";
    const base = v instanceof Error ? "Error" : Array.isArray(v) ? "Array" : v instanceof Date ? "Date" : v instanceof Map ? "Map"
      : v instanceof Set ? "Set" : v instanceof RegExp ? "RegExp" : ArrayBuffer.isView(v) ? "a typed array" : undefined;
    return this.refuse(v, part, base
      ? `it is an instance of ${name}, a subclass of ${base}; decoding it as its base class would lose instanceof ${name}: registerClass() a codec for ${name}, or use the base class`
      : `it is an instance of class ${name}; use plain objects, or registerClass() a codec for ${name}`);
  }

  /** What the codec cannot keep: a host value when encoding a frame (a compiled closure, Math.max), else an error. */
  private refuse(v: object, part: Part, why: string): Json {
    if (this.host) {
      for (const codec of hostCodecs) {
        const data = codec.encode(v);
        if (data !== undefined) return this.wrapped(v, { $nwc: "host", c: codec.name, v: null }, data, part);
      }
    }
    return this.fail(part, why);
  }

  /** A value stored as its codec's data (registered class, host value): the data is encoded in its place. */
  private wrapped(v: object, node: { [k: string]: Json }, data: unknown, part: Part): Json {
    this.open.add(v);
    this.enter(part, v);
    this.child(data, node, "v", DATA_PART);
    return node;
  }

  private plain(obj: object, proto: object | null, part: Part): Json {
    const out: { [k: string]: Json } = {};
    const start = this.enter(part);
    const mode = modeOf(obj);
    const keys = Reflect.ownKeys(obj);
    for (let i = 0; i < keys.length; i++) {
      const why = this.property(obj, keys[i]!, mode, out);
      if (why) {
        this.abandon(start);
        return this.refuse(obj, part, why);
      }
    }
    this.reverseFrom(start);
    if (proto !== null && mode === undefined && !hasOwn(out, "$nwc")) return out;
    const node: { [k: string]: Json } = { $nwc: "object", v: out };
    if (proto === null) node.p = null;
    if (mode) node.x = mode;
    return node;
  }

  /** Queues one own property of a plain object or an array's extra property; returns why it cannot be kept, if so. */
  private property(obj: object, key: string | symbol, mode: Mode, out: { [k: string]: Json }): string | undefined {
    if (typeof key === "symbol") return `it has a symbol-keyed property [${String(key)}]; symbol keys cannot be stored, use a string key`;
    const d = Object.getOwnPropertyDescriptor(obj, key)!;
    if (d.get || d.set) return `its property ${JSON.stringify(key)} is a getter or setter; store plain data (a getter would become a fixed value)`;
    if (!d.enumerable) return `its property ${JSON.stringify(key)} is non-enumerable (Object.defineProperty); make it an ordinary property`;
    if (d.writable !== (mode !== "frozen") || d.configurable !== (mode === undefined || mode === "nonext")) {
      return `its property ${JSON.stringify(key)} has attributes of its own (read-only or non-configurable); use an ordinary property, or freeze or seal the whole object`;
    }
    this.child(d.value, out, key, key);
    return undefined;
  }

  private array(arr: unknown[], part: Part): Json {
    const out: Json[] = [];
    const start = this.enter(part);
    const n = arr.length;
    for (let i = 0; i < n; i++) {
      const v = arr[i];
      if (v === undefined && !hasOwn(arr, i)) this.fail(i, "it is a hole in a sparse array; fill it (with undefined if need be)");
      this.child(v, out, i, i);
    }
    const mode = modeOf(arr);
    // Own keys beyond the indices and `length`: extra properties, such as a RegExp match's index, input and groups.
    const keys = Reflect.ownKeys(arr);
    let props: { [k: string]: Json } | undefined;
    if (keys.length !== n + 1) {
      props = {};
      for (const key of keys) {
        if (key === "length" || (typeof key === "string" && isIndex(key, n))) continue;
        const why = this.property(arr, key, mode, props);
        if (why) this.fail(part, why);
      }
    }
    this.reverseFrom(start);
    if (!props && mode === undefined) return out;
    const node: { [k: string]: Json } = { $nwc: "array", v: out };
    if (props) node.p = props;
    if (mode) node.x = mode;
    return node;
  }

  private builtin(v: object, kind: Kind, part: Part): Json {
    if (kind === Kind.Error) return this.error(v as Error, part);
    if (!Object.isExtensible(v)) this.fail(part, "it is a frozen, sealed or non-extensible built-in object; only plain objects and arrays keep that");
    const own = kind === Kind.View || kind === Kind.Buffer ? [] : Reflect.ownKeys(v);
    if (own.length > (kind === Kind.RegExp ? 1 : 0)) {
      this.fail(part, `it is a ${Object.getPrototypeOf(v).constructor.name} with own properties (${own.filter((k) => k !== "lastIndex").map(String).join(", ")}), which cannot be stored; keep them in a plain object beside it`);
    }
    switch (kind) {
      case Kind.Date: {
        const t = (v as Date).getTime();
        return { $nwc: "date", v: Number.isNaN(t) ? null : t };
      }
      case Kind.Map: {
        const entries: Json[] = [];
        const start = this.enter(part);
        let i = 0;
        for (const [k, x] of v as Map<unknown, unknown>) {
          const pair: Json[] = [];
          this.child(k, pair, 0, entryPart(i, 1));
          this.child(x, pair, 1, entryPart(i, 2));
          entries.push(pair);
          i++;
        }
        this.reverseFrom(start);
        return { $nwc: "map", v: entries };
      }
      case Kind.Set: {
        const items: Json[] = [];
        const start = this.enter(part);
        let i = 0;
        for (const x of v as Set<unknown>) this.child(x, items, i, entryPart(i++, 3));
        this.reverseFrom(start);
        return { $nwc: "set", v: items };
      }
      case Kind.RegExp: {
        const re = v as RegExp;
        if (typeof re.lastIndex !== "number" || !Number.isInteger(re.lastIndex)) this.fail(part, "its lastIndex is not an integer");
        return { $nwc: "regexp", source: re.source, flags: re.flags, lastIndex: re.lastIndex };
      }
      case Kind.ArrayBuffer: {
        const buffer = v as ArrayBuffer;
        if ((buffer as any).resizable) this.fail(part, "it is a resizable ArrayBuffer; copy it into a fixed-length one");
        return { $nwc: "bytes", t: "ArrayBuffer", v: bytesToBase64(new Uint8Array(buffer)) };
      }
      case Kind.Buffer: {
        // Its own bytes only: small Buffers are slices of Node's shared pool, which must not be stored.
        const b = v as Uint8Array;
        return { $nwc: "bytes", t: "Buffer", v: bytesToBase64(b) };
      }
      case Kind.View: {
        const view = v as ArrayBufferView;
        if (!(view.buffer instanceof ArrayBuffer) || (view.buffer as any).resizable) {
          this.fail(part, "it is a view of a shared or resizable buffer, which cannot be stored; copy it into a fixed-length ArrayBuffer");
        }
        const t = Object.getPrototypeOf(v).constructor.name as string;
        const node: { [k: string]: Json } = { $nwc: "bytes", t, b: null, o: view.byteOffset, n: view instanceof DataView ? view.byteLength : (view as Uint8Array).length };
        // The buffer is an object of its own: views of one buffer keep sharing it.
        this.enter(part);
        this.child(view.buffer, node, "b", BUFFER_PART);
        return node;
      }
    }
    throw new Error(`nwc codec: unknown kind ${kind} (bug)`);
  }

  private error(e: Error, part: Part): Json {
    if (!Object.isExtensible(e)) this.fail(part, "it is a frozen, sealed or non-extensible Error; only plain objects and arrays keep that");
    const ctor = Object.getPrototypeOf(e).constructor.name as string;
    const node: { [k: string]: Json } = { $nwc: "error", name: String(e.name) };
    if (ctor !== node.name) node.k = ctor;
    if (hasOwn(e, "message")) node.message = String(e.message);
    node.stack = typeof e.stack === "string" ? e.stack : null;
    const extra: { [k: string]: Json } = {};
    let hidden: { [k: string]: Json } | undefined;
    const start = this.enter(part);
    const keys = Reflect.ownKeys(e);
    // Enumerable properties first, then the hidden fields: the order the decoder reads them in.
    for (const key of keys) {
      if (typeof key === "symbol") this.fail(part, `it has a symbol-keyed property [${String(key)}], which cannot be stored`);
      const d = Object.getOwnPropertyDescriptor(e, key)!;
      if (!d.enumerable && !HIDDEN_ERROR_FIELDS.has(key)) {
        if (ERROR_FIELDS.has(key)) continue;
        this.fail(key, "it is a non-enumerable property of an Error; make it an ordinary property");
      }
      if (d.get || d.set) this.fail(key, "it is a getter or setter; store plain data");
      if (d.enumerable) this.child(d.value, extra, key, key);
    }
    for (const key of keys) {
      if (typeof key === "string" && HIDDEN_ERROR_FIELDS.has(key) && !Object.prototype.propertyIsEnumerable.call(e, key)) {
        this.child((e as any)[key], (hidden ??= {}), key, key);
      }
    }
    this.reverseFrom(start);
    node.extra = extra;
    if (hidden) node.hidden = hidden;
    return node;
  }
}

/** A canonical array index below `n` ("0", "17"; not "01" or "1.5"). */
function isIndex(key: string, n: number): boolean {
  const i = Number(key);
  return Number.isInteger(i) && i >= 0 && i < n && String(i) === key;
}
