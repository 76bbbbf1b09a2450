/**
 * A frame straight to JSON text, for the common case: the text equals
 * `JSON.stringify(encodeFrame(frame))` character for character, without
 * building the encoded tree first (a step's frame was a tree of dozens of
 * objects, made and walked again by JSON.stringify after every step).
 *
 * It writes what encode.ts writes for engine records, strings, finite
 * numbers, booleans, null, undefined, special numbers, bigints, plain objects
 * and arrays, Dates, Maps, Sets and errors, references to objects met
 * before, registered classes and host values (a compiled closure, a built-in
 * function). Anything else (a typed array, a RegExp, an object with a
 * getter, a frozen object, a key named `$nwc`, nesting deeper than
 * MAX_DEPTH, ...) makes it give up and
 * return undefined; the caller then runs the full encoder, which writes that
 * value or refuses it with its error. So this file never decides what is
 * storable, it only writes faster what encode.ts accepts.
 *
 * Invariant: objects are numbered in the order encode.ts numbers them (depth
 * first, in property order, engine records counted but never referenced), so
 * `{"$nwc":"ref","i":n}` means the same object in both texts; the tests
 * (test/codec-text.test.ts) compare the two on generated values and on the
 * frames of the compiled test programs.
 */
import { isObject, leafOf } from "./encode.ts";
import { ERROR_FIELDS, HIDDEN_ERROR_FIELDS, KIND_BY_PROTO, Kind } from "./kinds.ts";
import { classesByCtor, exactCodecs, frameShape, hostCodecs, type RecordShape } from "./registry.ts";

/** Deeper values go to the full encoder, which stores them out of line (its SPILL_DEPTH) and never recurses without bound. */
const MAX_DEPTH = 100;

/** Thrown (one instance, no stack) to give up: the caller runs the full encoder. */
const GIVE_UP = Object.freeze({ giveUp: true });

export interface FrameText {
  text: string;
  /** As encodeValueChecked's: false when decoding the text would not rebuild an interchangeable graph. */
  roundTripsExactly: boolean;
}

/** The frame's JSON text, or undefined when it holds a value only the full encoder writes (or refuses). */
export function frameTextOf(frame: unknown): FrameText | undefined {
  if (frameShape === undefined || !frameShape.isFrame(frame)) return undefined;
  const writer = new TextWriter();
  try {
    const text = writer.record(frame as object, frameShape.root, 0);
    // Reading a character makes V8 copy the joined pieces into one flat string now, while they are
    // young: left as a rope, they lived until the commit's JSON.stringify flattened them, past a scavenge or two.
    text.charCodeAt(0);
    return { text, roundTripsExactly: writer.roundTripsExactly };
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

class TextWriter {
  /** Numbers of the user objects met so far; made on the first one (most frames hold few). */
  private ids: Map<object, number> | undefined;
  private count = 0;
  /** Registered-class and host values whose data is being written (a reference back to one is refused by encode.ts). */
  private readonly open: object[] = [];
  roundTripsExactly = true;

  /** An engine record of the given shape (numbered, never referenced: encode.ts engineRecord). */
  record(obj: object, shape: RecordShape, depth: number): string {
    this.count++;
    if (depth > MAX_DEPTH) throw GIVE_UP;
    const { each, fields } = shape;
    if (Array.isArray(obj)) {
      let out = "[";
      for (let i = 0; i < obj.length; i++) {
        const v = obj[i];
        if (v === undefined && !Object.prototype.hasOwnProperty.call(obj, i)) throw GIVE_UP;
        if (i > 0) out += ",";
        out += each !== undefined && isObject(v) ? this.record(v, each, depth + 1) : this.value(v, depth + 1);
      }
      return out + "]";
    }
    if (each !== undefined) {
      // A table keyed by ids: Object.keys lists integer keys faster than for...in does.
      const keys = Object.keys(obj);
      let out = "{";
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const v = (obj as any)[key];
        out += keyText(key, i > 0) + (isObject(v) ? this.record(v, each, depth + 1) : this.value(v, depth + 1));
      }
      return out + "}";
    }
    let out = "{";
    let first = true;
    for (const key in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
      const v = (obj as any)[key];
      const sub = fields?.[key];
      out += keyText(key, !first) + (sub !== undefined && isObject(v) ? this.record(v, sub, depth + 1) : this.value(v, depth + 1));
      first = false;
    }
    return out + "}";
  }

  private value(v: unknown, depth: number): string {
    switch (typeof v) {
      case "string":
        return quote(v);
      case "number":
        // NaN, the infinities and -0 have forms of their own (encode.ts leafOf), as have undefined and bigints.
        return Number.isFinite(v) && !Object.is(v, -0) ? String(v) : JSON.stringify(leafOf(v));
      case "boolean":
        return v ? "true" : "false";
      case "undefined":
      case "bigint":
        return JSON.stringify(leafOf(v));
      case "object":
        return v === null ? "null" : this.object(v, depth);
      case "function":
        return this.object(v, depth);
      default:
        throw GIVE_UP; // a symbol: refused by encode.ts, with its message
    }
  }

  private object(v: object, depth: number): string {
    if (depth > MAX_DEPTH) throw GIVE_UP;
    const ids = (this.ids ??= new Map());
    const seen = ids.get(v);
    if (seen !== undefined) {
      if (this.open.includes(v)) throw GIVE_UP;
      return `{"$nwc":"ref","i":${seen}}`;
    }
    ids.set(v, this.count++);
    if (typeof v === "function") return this.host(v, depth);
    const proto = Object.getPrototypeOf(v);
    if (proto === Array.prototype) return this.array(v as unknown[], depth);
    if (proto === Object.prototype) return this.plain(v, depth);
    if (proto === null) throw GIVE_UP;
    // The built-in kinds come before registered classes, as in encode.ts; the rarer ones (errors, bytes, RegExp) go to it.
    const kind = KIND_BY_PROTO.get(proto);
    if (kind !== undefined) return this.builtin(v, kind, depth);
    const registered = classesByCtor.get(proto.constructor);
    if (registered === undefined || proto !== registered.ctor.prototype) throw GIVE_UP;
    if (!exactCodecs.has(registered.name)) this.roundTripsExactly = false;
    return this.wrapped(v, `{"$nwc":"class","c":${quote(registered.name)},"v":`, registered.encode(v), depth);
  }

  /** A function: a host value (a compiled closure, a built-in) if a host codec claims it, as encode.ts's refuse(). */
  private host(v: object, depth: number): string {
    for (const codec of hostCodecs) {
      const data = codec.encode(v);
      if (data === undefined) continue;
      if (!exactCodecs.has(codec.name)) this.roundTripsExactly = false;
      return this.wrapped(v, `{"$nwc":"host","c":${quote(codec.name)},"v":`, data, depth);
    }
    throw GIVE_UP;
  }

  private wrapped(v: object, head: string, data: unknown, depth: number): string {
    this.open.push(v);
    const text = head + this.value(data, depth + 1) + "}";
    this.open.pop();
    return text;
  }

  /** A Date, Map, Set or Error, as encode.ts's builtin() writes it (one with own properties, or frozen, is refused there). */
  private builtin(v: object, kind: Kind, depth: number): string {
    if (kind === Kind.Error) return this.error(v as Error, depth);
    if (kind !== Kind.Date && kind !== Kind.Map && kind !== Kind.Set) throw GIVE_UP;
    if (!Object.isExtensible(v) || Reflect.ownKeys(v).length > 0) throw GIVE_UP;
    if (kind === Kind.Date) {
      const t = (v as Date).getTime();
      return `{"$nwc":"date","v":${Number.isNaN(t) ? "null" : String(t)}}`;
    }
    let out = kind === Kind.Map ? `{"$nwc":"map","v":[` : `{"$nwc":"set","v":[`;
    let first = true;
    if (kind === Kind.Map) {
      for (const [key, value] of v as Map<unknown, unknown>) {
        out += (first ? "[" : ",[") + this.value(key, depth + 1) + "," + this.value(value, depth + 1) + "]";
        first = false;
      }
    } else {
      for (const item of v as Set<unknown>) {
        out += (first ? "" : ",") + this.value(item, depth + 1);
        first = false;
      }
    }
    return out + "]}";
  }

  /** An error, as encode.ts's error() writes it: its fields, then its enumerable properties, then the hidden ones (`cause`...). */
  private error(e: Error, depth: number): string {
    if (!Object.isExtensible(e)) throw GIVE_UP;
    const ctor = Object.getPrototypeOf(e).constructor.name as string;
    const name = String(e.name);
    let out = `{"$nwc":"error","name":${quote(name)}`;
    if (ctor !== name) out += `,"k":${quote(ctor)}`;
    if (Object.prototype.hasOwnProperty.call(e, "message")) out += `,"message":${quote(String(e.message))}`;
    out += `,"stack":${typeof e.stack === "string" ? quote(e.stack) : "null"},"extra":{`;
    const keys = Reflect.ownKeys(e);
    let first = true;
    for (const key of keys) {
      if (typeof key === "symbol") throw GIVE_UP;
      const d = Object.getOwnPropertyDescriptor(e, key)!;
      if (!d.enumerable && !HIDDEN_ERROR_FIELDS.has(key)) {
        if (ERROR_FIELDS.has(key)) continue;
        throw GIVE_UP;
      }
      if (d.get || d.set) throw GIVE_UP;
      if (d.enumerable) {
        out += keyText(key, !first) + this.value(d.value, depth + 1);
        first = false;
      }
    }
    out += "}";
    first = true;
    for (const key of keys) {
      if (typeof key === "string" && HIDDEN_ERROR_FIELDS.has(key) && !Object.prototype.propertyIsEnumerable.call(e, key)) {
        out += (first ? `,"hidden":{` : "") + keyText(key, !first) + this.value((e as any)[key], depth + 1);
        first = false;
      }
    }
    return out + (first ? "}" : "}}");
  }

  private array(arr: unknown[], depth: number): string {
    const n = arr.length;
    // Extra properties, holes and frozen or sealed arrays: encode.ts writes them in a form of their own.
    if (!Object.isExtensible(arr) || Object.keys(arr).length !== n) throw GIVE_UP;
    let out = "[";
    for (let i = 0; i < n; i++) out += (i > 0 ? "," : "") + this.value(arr[i], depth + 1);
    return out + "]";
  }

  private plain(obj: object, depth: number): string {
    if (!Object.isExtensible(obj)) throw GIVE_UP;
    const keys = Reflect.ownKeys(obj);
    // Every property an ordinary one (encode.ts whyNotData), checked before any is written, as there.
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (typeof key === "symbol") throw GIVE_UP;
      const d = Object.getOwnPropertyDescriptor(obj, key)!;
      if (d.get || d.set || !d.enumerable || !d.writable || !d.configurable) throw GIVE_UP;
    }
    let out = "{";
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      out += keyText(key, i > 0) + this.value((obj as any)[key], depth + 1);
    }
    return out + "}";
  }
}

/**
 * Keys met so far, as written after the first property of an object and as the first
 * (`,"label":` and `"label":`): record keys repeat in every frame, and each piece joined
 * to a text is one more string object to allocate and collect.
 */
const keyTexts = new Map<string, [string, string]>();
const MAX_KEY_TEXTS = 4096;

function keyText(key: string, afterAnother: boolean): string {
  // These two keys have forms of their own in encode.ts (a wrapped object, a key that is not the prototype).
  if (key === "$nwc" || key === "__proto__") throw GIVE_UP;
  let texts = keyTexts.get(key);
  if (texts === undefined) {
    const text = quote(key) + ":";
    texts = [text, "," + text];
    if (keyTexts.size < MAX_KEY_TEXTS) keyTexts.set(key, texts);
  }
  return texts[afterAnother ? 1 : 0];
}

/** A string as JSON.stringify writes it: short ones that need no escape are only quoted (a call of JSON.stringify costs more than the copy). */
function quote(s: string): string {
  if (s.length > 40) return JSON.stringify(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

