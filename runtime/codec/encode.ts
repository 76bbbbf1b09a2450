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
import { formatKey, pathOf } from "./path.ts";
import { classesByCtor, CodecError, exactCodecs, frameShape, hostCodecs, type RecordShape } from "./registry.ts";
import { reverseItems, STRIDE } from "./work-stack.ts";

/**
 * Every SPILL_DEPTH levels of nesting, a container's encoding is stored out of
 * line, in the root's `s` array (`{ "$nwc": "graph", "v": root, "s": [...] }`),
 * and referenced by `{ "$nwc": "at", "i": k }`: the JSON stays shallow enough
 * for JSON.stringify, which recurses (V8 overflows at a few thousand levels).
 * 256 levels of containers are at most ~800 JSON levels (a Map entry adds three).
 */
const SPILL_DEPTH = 256;

/**
 * Nesting handled by recursion (fast, and what frames need); deeper containers go
 * through the explicit work stack, so no value overflows the call stack. 200 levels
 * are ~1,000 JS frames, far below Node's limit even when called from deep code.
 */
const RECURSION_DEPTH = 200;

/** Marks, in the work stack, the end of a registered-class or host value's data: it is no longer open. */
const EXIT: Json[] = [];

type Mode = "frozen" | "sealed" | "nonext" | undefined;

function modeOf(obj: object): Mode {
  if (Object.isExtensible(obj)) return undefined;
  return Object.isFrozen(obj) ? "frozen" : Object.isSealed(obj) ? "sealed" : "nonext";
}

/** An own `__proto__` key, written as a key, never as the prototype. */
function putProto(out: object, value: unknown): void {
  Object.defineProperty(out, "__proto__", { value, writable: true, enumerable: true, configurable: true });
}

function hasOwn(obj: object, key: PropertyKey): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

export function encodeValue(value: unknown, root: string, host: boolean): Json {
  // Most payloads are strings or numbers: no encoder (and none of its tables) for them.
  if (!isObject(value) && typeof value !== "symbol") return leafOf(value);
  return new Encoder(root, host).run(value);
}

/**
 * Encodes like encodeValue, and says whether `value` itself can stand in for
 * decode(json): true unless it holds what decoding rebuilds differently, a
 * value of a class or host codec not declared exact (registry.ts: a user's
 * class, a compiled closure) or a Node Buffer (a view of Node's shared pool
 * until it is decoded into bytes of its own).
 */
export function encodeValueChecked(value: unknown, root: string, host: boolean): { json: Json; roundTripsExactly: boolean } {
  if (!isObject(value) && typeof value !== "symbol") return { json: leafOf(value), roundTripsExactly: true };
  const encoder = new Encoder(root, host);
  const json = encoder.run(value);
  return { json, roundTripsExactly: encoder.roundTripsExactly };
}


class Encoder {
  /** Numbers of the objects met so far, made on the first user object: a frame's records and leaves need none. */
  private ids: Map<object, number> | undefined;
  /** Objects numbered so far (depth first, in property order): the decoder counts the same way. */
  private count = 0;
  /**
   * Registered-class and host values whose data is being encoded: a reference back to one is a cycle their
   * codec cannot rebuild. A stack (each is closed before the one that encloses it), and an array: a Set
   * allocated a table per encode and another when it shrank, for the one or two a frame holds.
   */
  private readonly open: object[] = [];
  /** The work stack, STRIDE entries per item in one array: no object allocated per value (this runs twice per step). */
  private readonly stack: any[] = [];
  /** Top of the work stack: the array never shrinks (shrinking it would make V8 trim and regrow its store). */
  private sp = 0;
  /** Encodings of deep containers, stored out of line (SPILL_DEPTH). */
  private readonly spill: Json[] = [];
  private readonly holder: Json[] = [null];
  /** Where the value being encoded goes, and how deep it is: for error messages and SPILL_DEPTH. */
  private out: any = this.holder;
  private slot: string | number = 0;
  private depth = 0;

  /** False once a value met is one whose decoded copy differs from it (see encodeValueChecked). */
  roundTripsExactly = true;

  constructor(private readonly root: string, private readonly host: boolean) {}

  run(value: unknown): Json {
    if (!isObject(value)) return this.leaf(value, "");
    // A frame of the engine: its records are followed by their shape (registry.ts), not checked one property at a time.
    this.holder[0] = this.host && frameShape?.isFrame(value) ? this.engineRecord(value, frameShape.root) : this.encodeObject(value);
    this.drainTo(0);
    const root = this.holder[0]!;
    return this.spill.length === 0 ? root : { $nwc: "graph", v: root, s: this.spill };
  }

  /** Encodes the object about to go into (this.out, this.slot) at this.depth; deep containers go out of line. */
  private encodeObject(v: object): Json {
    const json = this.object(v);
    const depth = this.depth;
    if (depth % SPILL_DEPTH !== 0 || depth === 0 || json === null || typeof json !== "object" || (json as any).$nwc === "ref") return json;
    this.spill.push(json);
    return { $nwc: "at", i: this.spill.length - 1 };
  }

  /** Encodes the queued work above `mark`: what containers deeper than RECURSION_DEPTH queued instead of recursing. */
  private drainTo(mark: number): void {
    const stack = this.stack;
    while (this.sp > mark) {
      const n = (this.sp -= STRIDE);
      const v = stack[n], out = stack[n + 1], slot = stack[n + 2], depth = stack[n + 3];
      stack[n] = stack[n + 1] = undefined; // drop references early
      if (out === EXIT) {
        const at = this.open.lastIndexOf(v);
        if (at === this.open.length - 1) this.open.pop(); // always so: splice would allocate its result
        else this.open.splice(at, 1);
        continue;
      }
      this.out = out;
      this.slot = slot;
      this.depth = depth;
      const json = this.encodeObject(v as object);
      if (slot === "__proto__") putProto(out, json);
      else out[slot] = json;
    }
  }

  /** Puts a new container's node in place at once, so that a failure inside it can name its path (path.ts). */
  private attach<T extends Json>(node: T): T {
    if (this.slot === "__proto__") putProto(this.out, node);
    else this.out[this.slot] = node;
    return node;
  }

  private push(v: unknown, out: unknown, slot: string | number, depth: number): void {
    const s = this.stack;
    const i = this.sp;
    s[i] = v;
    s[i + 1] = out;
    s[i + 2] = slot;
    s[i + 3] = depth;
    this.sp = i + STRIDE;
  }

  /**
   * A child value of the container being encoded. A leaf is encoded now; so is an object
   * while the nesting is shallow (recursion: the fast path, frames are shallow); deeper,
   * it gets a placeholder (keeping key order) and is queued for the work stack.
   */
  private child(v: unknown, out: any, slot: string | number, step: string | number, shape?: RecordShape): void {
    let json: Json = null;
    if (!isObject(v)) json = this.leaf(v, step);
    else if (this.depth < RECURSION_DEPTH) {
      const parentOut = this.out, parentSlot = this.slot, depth = this.depth, mark = this.sp;
      this.out = out;
      this.slot = slot;
      this.depth = depth + 1;
      // An engine record is a few levels below the frame: always here, never on the work stack below.
      json = shape !== undefined ? this.engineRecord(v, shape) : this.encodeObject(v);
      if (this.sp > mark) {
        // Deeper work was queued: it must finish (in order) before this container's next sibling.
        if (slot === "__proto__") putProto(out, json);
        else out[slot] = json;
        this.drainTo(mark);
      }
      this.depth = depth;
      this.out = parentOut;
      this.slot = parentSlot;
    } else this.push(v, out, slot, this.depth + 1);
    if (slot === "__proto__") putProto(out, json);
    else out[slot] = json;
  }

  private reverseFrom(start: number): void {
    reverseItems(this.stack, start, this.sp);
  }

  /** Fails naming the value being encoded, or `step` inside it (a key, an index, a Map entry). */
  private fail(why: string, step: string | number = ""): never {
    const at = this.out === this.holder ? this.root : pathOf(this.root, this.holder[0]!, this.spill, this.out, this.slot);
    throw new CodecError(`cannot serialize ${at}${formatStep(step)}: ${why}`);
  }

  private leaf(v: unknown, step: string | number): Json {
    if (typeof v === "symbol") return this.fail("it is a symbol; use a string instead", step);
    return leafOf(v);
  }

  /**
   * An engine record of a frame, of the given shape. It is never shared (frame-records.ts):
   * numbered, as the decoder numbers every object, but not remembered.
   */
  private engineRecord(v: object, shape: RecordShape): Json {
    this.count++;
    return Array.isArray(v) ? this.array(v, shape) : this.record(v, shape);
  }

  private object(v: object): Json {
    const ids = (this.ids ??= new Map());
    const seen = ids.get(v);
    if (seen !== undefined) {
      if (this.open.includes(v)) this.fail("it refers back to a value of a registered class from inside that value's own data (a cycle its codec cannot rebuild)");
      return { $nwc: "ref", i: seen };
    }
    ids.set(v, this.count++);
    if (typeof v === "function") return this.refuse(v, "it is a function; keep only data in frames and payloads");
    const proto = Object.getPrototypeOf(v);
    if (proto === Array.prototype) return this.array(v as unknown[]);
    if (proto === Object.prototype || proto === null) return this.plain(v, proto);
    const kind = KIND_BY_PROTO.get(proto);
    if (kind !== undefined) return this.builtin(v, kind);
    const registered = classesByCtor.get(proto?.constructor);
    if (registered) {
      if (!exactCodecs.has(registered.name)) this.roundTripsExactly = false;
      return this.wrapped(v, { $nwc: "class", c: registered.name, v: null }, registered.encode(v));
    }
    if (v instanceof Promise) return this.refuse(v, "it is a Promise; await it first, or keep a durable task instead");
    if (typeof (v as { next?: unknown }).next === "function" && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function") {
      return this.refuse(v, "it is an iterator (a generator object, say); collect its items into an array first");
    }
    const name = typeof proto?.constructor === "function" && proto.constructor.name ? proto.constructor.name : "an object with a custom prototype";
    const base = v instanceof Error ? "Error" : Array.isArray(v) ? "Array" : v instanceof Date ? "Date" : v instanceof Map ? "Map"
      : v instanceof Set ? "Set" : v instanceof RegExp ? "RegExp" : ArrayBuffer.isView(v) ? "a typed array" : undefined;
    return this.refuse(v, base
      ? `it is an instance of ${name}, a subclass of ${base}; decoding it as its base class would lose instanceof ${name}: registerClass() a codec for ${name}, or use the base class`
      : `it is an instance of class ${name}; use plain objects, or registerClass() a codec for ${name}`);
  }

  /** What the codec cannot keep: a host value when encoding a frame (a compiled closure, Math.max), else an error. */
  private refuse(v: object, why: string): Json {
    if (this.host) {
      for (const codec of hostCodecs) {
        const data = codec.encode(v);
        if (data === undefined) continue;
        if (!exactCodecs.has(codec.name)) this.roundTripsExactly = false;
        return this.wrapped(v, { $nwc: "host", c: codec.name, v: null }, data);
      }
    }
    return this.fail(why);
  }

  /** A value stored as its codec's data (registered class, host value): the data is encoded in its place. */
  private wrapped(v: object, node: { [k: string]: Json }, data: unknown): Json {
    this.attach(node);
    this.open.push(v);
    this.push(v, EXIT, 0, 0);
    this.child(data, node, "v", "");
    return node;
  }

  private plain(obj: object, proto: object | null): Json {
    const mode = modeOf(obj);
    const keys = Reflect.ownKeys(obj);
    // Every property is checked before any is encoded: a refused object may still be a host value
    // (Math, console), and nothing of it may have been numbered by then.
    for (let i = 0; i < keys.length; i++) {
      const why = whyNotData(obj, keys[i]!, mode);
      if (why) return this.refuse(obj, why);
    }
    const out: { [k: string]: Json } = this.attach({});
    const start = this.sp;
    for (let i = 0; i < keys.length; i++) this.property(obj, keys[i] as string, out);
    if (this.sp - start > STRIDE) this.reverseFrom(start);
    if (proto !== null && mode === undefined && !hasOwn(out, "$nwc")) return out;
    const node: { [k: string]: Json } = { $nwc: "object", v: out };
    if (proto === null) node.p = null;
    if (mode) node.x = mode;
    return node;
  }

  /** An engine record of the frame: own enumerable data properties only, by construction. */
  private record(obj: object, shape: RecordShape): Json {
    const out: { [k: string]: Json } = this.attach({});
    const start = this.sp;
    const { each, fields } = shape;
    // for...in, not Object.keys: no array of keys per record (a frame has dozens, encoded every step).
    for (const key in obj) {
      if (!hasOwn(obj, key)) continue;
      const v = (obj as any)[key];
      const sub = each ?? fields?.[key];
      if (sub !== undefined && isObject(v)) this.child(v, out, key, key, sub);
      else this.property(obj, key, out);
    }
    if (this.sp - start > STRIDE) this.reverseFrom(start);
    return hasOwn(out, "$nwc") ? { $nwc: "object", v: out } : out;
  }

  /** Encodes (or queues) one own data property, already checked by whyNotData. */
  private property(obj: object, key: string, out: { [k: string]: Json }): void {
    const v = (obj as any)[key];
    // Leaves stored here (string keys only): a store site shared with arrays would be megamorphic, and slow.
    if (isObject(v)) this.child(v, out, key, key);
    else if (key === "__proto__") putProto(out, this.leaf(v, key));
    else out[key] = this.leaf(v, key);
  }

  /** An array; `shape` when it is an engine record (registry.ts). */
  private array(arr: unknown[], shape?: RecordShape): Json {
    const out: Json[] = this.attach([]);
    const start = this.sp;
    const n = arr.length;
    const each = shape?.each;
    for (let i = 0; i < n; i++) {
      const v = arr[i];
      if (v === undefined && !hasOwn(arr, i)) this.fail("it is a hole in a sparse array; fill it (with undefined if need be)", i);
      if (isObject(v)) this.child(v, out, i, i, each);
      else out[i] = this.leaf(v, i);
    }
    if (shape !== undefined) {
      if (this.sp - start > STRIDE) this.reverseFrom(start);
      return out;
    }
    const mode = modeOf(arr);
    // Enumerable own keys beyond the indices: extra properties, such as a RegExp match's index, input and groups.
    // (Object.keys, not Reflect.ownKeys: several times cheaper on the many small arrays of a frame.)
    let props: { [k: string]: Json } | undefined;
    if (Object.keys(arr).length !== n) {
      props = {};
      for (const key of Reflect.ownKeys(arr)) {
        if (key === "length" || (typeof key === "string" && isIndex(key, n))) continue;
        const why = whyNotData(arr, key, mode);
        if (why) this.fail(why);
        this.property(arr, key as string, props);
      }
    }
    if (this.sp - start > STRIDE) this.reverseFrom(start);
    if (!props && mode === undefined) return out;
    const node: { [k: string]: Json } = { $nwc: "array", v: out };
    if (props) node.p = props;
    if (mode) node.x = mode;
    return node;
  }

  private builtin(v: object, kind: Kind): Json {
    if (kind === Kind.Error) return this.error(v as Error);
    if (!Object.isExtensible(v)) this.fail("it is a frozen, sealed or non-extensible built-in object; only plain objects and arrays keep that");
    const own = kind === Kind.View || kind === Kind.Buffer ? [] : Reflect.ownKeys(v);
    if (own.length > (kind === Kind.RegExp ? 1 : 0)) {
      this.fail(`it is a ${Object.getPrototypeOf(v).constructor.name} with own properties (${own.filter((k) => k !== "lastIndex").map(String).join(", ")}), which cannot be stored; keep them in a plain object beside it`);
    }
    switch (kind) {
      case Kind.Date: {
        const t = (v as Date).getTime();
        return { $nwc: "date", v: Number.isNaN(t) ? null : t };
      }
      case Kind.Map: {
        const entries: Json[] = [];
        const node = this.attach({ $nwc: "map", v: entries });
        const start = this.sp;
        let i = 0;
        for (const [k, x] of v as Map<unknown, unknown>) {
          const pair: Json[] = [null, null];
          entries.push(pair);
          this.child(k, pair, 0, entryStep(i, 1));
          this.child(x, pair, 1, entryStep(i, 2));
          i++;
        }
        if (this.sp - start > STRIDE) this.reverseFrom(start);
        return node;
      }
      case Kind.Set: {
        const items: Json[] = [];
        const node = this.attach({ $nwc: "set", v: items });
        const start = this.sp;
        let i = 0;
        for (const x of v as Set<unknown>) {
          this.child(x, items, i, entryStep(i, 3));
          i++;
        }
        if (this.sp - start > STRIDE) this.reverseFrom(start);
        return node;
      }
      case Kind.RegExp: {
        const re = v as RegExp;
        if (typeof re.lastIndex !== "number" || !Number.isInteger(re.lastIndex)) this.fail("its lastIndex is not an integer");
        return { $nwc: "regexp", source: re.source, flags: re.flags, lastIndex: re.lastIndex };
      }
      case Kind.ArrayBuffer: {
        const buffer = v as ArrayBuffer;
        if ((buffer as any).resizable) this.fail("it is a resizable ArrayBuffer; copy it into a fixed-length one");
        return { $nwc: "bytes", t: "ArrayBuffer", v: bytesToBase64(new Uint8Array(buffer)) };
      }
      case Kind.Buffer:
        // Its own bytes only: small Buffers are slices of Node's shared pool, which must not be stored.
        this.roundTripsExactly = false;
        return { $nwc: "bytes", t: "Buffer", v: bytesToBase64(v as Uint8Array) };
      case Kind.View: {
        const view = v as ArrayBufferView;
        if (!(view.buffer instanceof ArrayBuffer) || (view.buffer as any).resizable) {
          this.fail("it is a view of a shared or resizable buffer, which cannot be stored; copy it into a fixed-length ArrayBuffer");
        }
        const t = Object.getPrototypeOf(v).constructor.name as string;
        const node = this.attach<{ [k: string]: Json }>({ $nwc: "bytes", t, b: null, o: view.byteOffset, n: view instanceof DataView ? view.byteLength : (view as Uint8Array).length });
        // The buffer is an object of its own: views of one buffer keep sharing it.
        this.child(view.buffer, node, "b", "<buffer>");
        return node;
      }
    }
    throw new Error(`nwc codec: unknown kind ${kind} (bug)`);
  }

  private error(e: Error): Json {
    if (!Object.isExtensible(e)) this.fail("it is a frozen, sealed or non-extensible Error; only plain objects and arrays keep that");
    const ctor = Object.getPrototypeOf(e).constructor.name as string;
    const node = this.attach<{ [k: string]: Json }>({ $nwc: "error", name: String(e.name) });
    if (ctor !== node.name) node.k = ctor;
    if (hasOwn(e, "message")) node.message = String(e.message);
    node.stack = typeof e.stack === "string" ? e.stack : null;
    const extra: { [k: string]: Json } = {};
    let hidden: { [k: string]: Json } | undefined;
    node.extra = extra;
    const start = this.sp;
    const keys = Reflect.ownKeys(e);
    // Enumerable properties first, then the hidden fields: the order the decoder reads them in.
    for (const key of keys) {
      if (typeof key === "symbol") this.fail(`it has a symbol-keyed property [${String(key)}], which cannot be stored`);
      const d = Object.getOwnPropertyDescriptor(e, key)!;
      if (!d.enumerable && !HIDDEN_ERROR_FIELDS.has(key)) {
        if (ERROR_FIELDS.has(key)) continue;
        this.fail("it is a non-enumerable property of an Error; make it an ordinary property", key);
      }
      if (d.get || d.set) this.fail("it is a getter or setter; store plain data", key);
      if (d.enumerable) this.child(d.value, extra, key, key);
    }
    for (const key of keys) {
      if (typeof key === "string" && HIDDEN_ERROR_FIELDS.has(key) && !Object.prototype.propertyIsEnumerable.call(e, key)) {
        this.child((e as any)[key], (node.hidden = hidden ??= {}), key, key);
      }
    }
    if (this.sp - start > STRIDE) this.reverseFrom(start);
    return node;
  }
}

/** Why an own property of a plain object or array cannot be stored as it is, if so: the codec keeps data properties only. */
function whyNotData(obj: object, key: string | symbol, mode: Mode): string | undefined {
  if (typeof key === "symbol") return `it has a symbol-keyed property [${String(key)}]; symbol keys cannot be stored, use a string key`;
  const d = Object.getOwnPropertyDescriptor(obj, key)!;
  if (d.get || d.set) return `its property ${JSON.stringify(key)} is a getter or setter; store plain data (a getter would become a fixed value)`;
  if (!d.enumerable) return `its property ${JSON.stringify(key)} is non-enumerable (Object.defineProperty); make it an ordinary property`;
  if (d.writable !== (mode !== "frozen") || d.configurable !== (mode === undefined || mode === "nonext")) {
    return `its property ${JSON.stringify(key)} has attributes of its own (read-only or non-configurable); use an ordinary property, or freeze or seal the whole object`;
  }
  return undefined;
}

/** Map key i, Map value i, Set item i: negative numbers, so that no label string is built per entry. */
function entryStep(i: number, which: 1 | 2 | 3): number {
  return -(3 * i + which);
}

/** A step below the value being encoded, for a message: a key, an index, an entry (entryStep) or a label. */
function formatStep(step: string | number): string {
  if (typeof step === "string") return step === "" ? "" : step.startsWith("<") ? step : formatKey(step);
  if (step >= 0) return formatKey(step);
  const n = -step - 1;
  return `${["<key", "<value", "<item"][n % 3]} ${Math.floor(n / 3)}>`;
}

/** A value that is not an object, as JSON data (a symbol is refused before this). Shared with encode-text.ts. */
export function leafOf(v: unknown): Json {
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
  }
  if (v === null) return null;
  throw new Error(`nwc codec: leafOf() called with ${typeof v} (bug)`);
}

export function isObject(v: unknown): v is object {
  return (typeof v === "object" && v !== null) || typeof v === "function";
}

/** A canonical array index below `n` ("0", "17"; not "01" or "1.5"). */
function isIndex(key: string, n: number): boolean {
  const i = Number(key);
  return Number.isInteger(i) && i >= 0 && i < n && String(i) === key;
}
