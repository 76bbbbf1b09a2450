/**
 * The codec: turns frames and payloads into JSON-compatible data and back,
 * keeping what JSON alone would lose: `undefined`, `Date`, `Map`, `Set`,
 * `BigInt`, typed arrays, `DataView`, `RegExp` (source, flags, lastIndex),
 * `Error` (name, message, stack), non-finite numbers
 * and -0, and instances of classes registered with `registerClass`.
 *
 * Encoding: special values become `{ "$nwc": tag, ... }`. A plain object that
 * itself has a "$nwc" key is wrapped as `{ "$nwc": "object", "v": {...} }`, so
 * no user value is ever mistaken for a tag.
 *
 * Invariant: decode(encode(x)) is structurally equal to x for every supported
 * x; encode throws a `CodecError` naming the path of anything unsupported
 * (functions, symbols, promises, unregistered class instances), so nothing is
 * silently dropped. Shared references become copies; cycles are an error.
 */
import type { Json } from "./backends/types.ts";

export class CodecError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = "CodecError";
  }
}

export interface ClassCodec<T> {
  /** Stable name stored in the data; renaming it breaks stored frames. */
  name: string;
  ctor: abstract new (...args: any[]) => T;
  encode(value: T): unknown;
  decode(data: any): T;
}

const classesByName = new Map<string, ClassCodec<any>>();
const classesByCtor = new Map<Function, ClassCodec<any>>();

/** Lets instances of `ctor` live in frames and payloads. */
export function registerClass<T>(codec: ClassCodec<T>): void {
  const existing = classesByName.get(codec.name);
  if (existing && existing.ctor !== codec.ctor) {
    throw new CodecError(`codec: class name "${codec.name}" is already registered for another class`);
  }
  classesByName.set(codec.name, codec);
  classesByCtor.set(codec.ctor, codec);
}

const TYPED_ARRAYS: Record<string, new (buffer: ArrayBufferLike) => ArrayBufferView> = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
};

/** Own properties that built-in errors keep non-enumerable and that carry data. */
const HIDDEN_ERROR_FIELDS = ["cause", "errors"] as const;

const ERROR_CTORS: Record<string, ErrorConstructor> = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError,
};

// btoa/atob rather than Buffer: the codec also runs in the browser (playground).
function bytesToBase64(view: ArrayBufferView): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

function base64ToBuffer(data: string): ArrayBuffer {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/**
 * Where the encoder is, kept as a stack rather than a string per value: the
 * path is only formatted for an error message, so encoding a frame builds no
 * strings (it runs twice per step: the frame and the payload checks).
 * A number is an array index, a string a property name, `{ label }` a Map or
 * Set entry.
 */
interface EncodeState {
  path: (string | number | { label: string })[];
  /** Objects being encoded (ancestors of the current value): a cycle is an error. */
  open: object[];
}

function pathOf(state: EncodeState): string {
  let out = "$";
  for (const part of state.path) out += typeof part === "number" ? `[${part}]` : typeof part === "string" ? `.${part}` : part.label;
  return out;
}

export function encode(value: unknown): Json {
  return encodeAt(value, { path: [], open: [] });
}

function encodeAt(value: unknown, state: EncodeState): Json {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { $nwc: "number", v: String(Object.is(value, -0) ? "-0" : value) };
    case "undefined":
      return { $nwc: "undefined" };
    case "bigint":
      return { $nwc: "bigint", v: value.toString() };
    case "function":
      throw new CodecError(`cannot serialize ${pathOf(state)}: it is a function; keep only data in frames and payloads`);
    case "symbol":
      throw new CodecError(`cannot serialize ${pathOf(state)}: it is a symbol; use a string instead`);
  }
  if (value === null) return null;
  const obj = value as object;
  // Ancestors only (depth of the value, a handful in practice): a linear scan beats hashing into a Set.
  if (state.open.includes(obj)) throw new CodecError(`cannot serialize ${pathOf(state)}: it refers back to itself (a cycle)`);
  state.open.push(obj);
  try {
    return encodeObject(obj, state);
  } finally {
    state.open.pop();
  }
}

function encodeChild(value: unknown, part: string | number | { label: string }, state: EncodeState): Json {
  state.path.push(part);
  const out = encodeAt(value, state);
  state.path.pop();
  return out;
}

function encodeObject(obj: object, state: EncodeState): Json {
  if (Array.isArray(obj)) {
    const out: Json[] = new Array(obj.length);
    for (let i = 0; i < obj.length; i++) out[i] = encodeChild(obj[i], i, state);
    return out;
  }
  const proto = Object.getPrototypeOf(obj);
  if (proto === Object.prototype || proto === null) {
    const out: { [k: string]: Json } = {};
    for (const key of Object.keys(obj)) out[key] = encodeChild((obj as any)[key], key, state);
    return "$nwc" in out ? { $nwc: "object", v: out } : out;
  }
  if (obj instanceof Date) return { $nwc: "date", v: obj.getTime() };
  if (obj instanceof Map) {
    const entries: Json[] = [];
    let i = 0;
    for (const [k, v] of obj) {
      entries.push([encodeChild(k, { label: `<key ${i}>` }, state), encodeChild(v, { label: `<value ${i}>` }, state)]);
      i++;
    }
    return { $nwc: "map", v: entries };
  }
  if (obj instanceof Set) {
    const items: Json[] = [];
    let i = 0;
    for (const v of obj) items.push(encodeChild(v, { label: `<item ${i++}>` }, state));
    return { $nwc: "set", v: items };
  }
  if (ArrayBuffer.isView(obj)) {
    return { $nwc: "bytes", t: obj instanceof DataView ? "DataView" : obj.constructor.name, v: bytesToBase64(obj) };
  }
  if (obj instanceof RegExp) return { $nwc: "regexp", source: obj.source, flags: obj.flags, lastIndex: obj.lastIndex };
  if (obj instanceof ArrayBuffer) return { $nwc: "bytes", t: "ArrayBuffer", v: bytesToBase64(new Uint8Array(obj)) };
  const registered = classesByCtor.get(obj.constructor);
  if (registered) return { $nwc: "class", c: registered.name, v: encodeAt(registered.encode(obj), state) };
  if (obj instanceof Error) {
    const extra: { [k: string]: Json } = {};
    for (const key of Object.keys(obj)) extra[key] = encodeChild((obj as any)[key], key, state);
    // A native SuppressedError keeps `error` and `suppressed` as non-enumerable own properties.
    if (obj.name === "SuppressedError") {
      for (const key of ["error", "suppressed"]) {
        if (!(key in extra) && Object.prototype.hasOwnProperty.call(obj, key)) extra[key] = encodeChild((obj as any)[key], key, state);
      }
    }
    // `cause` and AggregateError's `errors` are non-enumerable own properties: kept apart, restored hidden.
    const hidden: { [k: string]: Json } = {};
    for (const key of HIDDEN_ERROR_FIELDS) {
      if (!(key in extra) && Object.prototype.hasOwnProperty.call(obj, key)) hidden[key] = encodeChild((obj as any)[key], key, state);
    }
    return Object.keys(hidden).length > 0
      ? { $nwc: "error", name: obj.name, message: obj.message, stack: obj.stack ?? null, extra, hidden }
      : { $nwc: "error", name: obj.name, message: obj.message, stack: obj.stack ?? null, extra };
  }
  if (obj instanceof Promise) {
    throw new CodecError(`cannot serialize ${pathOf(state)}: it is a Promise; await it first, or keep a durable task instead`);
  }
  if (typeof (obj as any).next === "function" && typeof (obj as any)[Symbol.iterator] === "function") {
    throw new CodecError(`cannot serialize ${pathOf(state)}: it is an iterator (a generator object, say); collect its items into an array first`);
  }
  const name = obj.constructor?.name;
  const className = typeof name === "string" && name !== "" ? name : "an object with a custom prototype";
  throw new CodecError(
    `cannot serialize ${pathOf(state)}: it is an instance of class ${className}; use plain objects, or registerClass() a codec for ${className}`,
  );
}

export function decode(data: Json): unknown {
  if (data === null || typeof data !== "object") return data;
  if (Array.isArray(data)) return data.map(decode);
  const tag = (data as { $nwc?: unknown }).$nwc;
  if (tag === undefined) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(data)) out[key] = decode(data[key]);
    return out;
  }
  const d = data as any;
  switch (tag) {
    case "undefined":
      return undefined;
    case "number":
      return d.v === "-0" ? -0 : Number(d.v);
    case "bigint":
      return BigInt(d.v);
    case "object": {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(d.v)) out[key] = decode(d.v[key]);
      return out;
    }
    case "date":
      return new Date(d.v);
    case "map":
      return new Map((d.v as Json[][]).map(([k, v]) => [decode(k), decode(v)]));
    case "set":
      return new Set((d.v as Json[]).map(decode));
    case "bytes": {
      const buffer = base64ToBuffer(d.v);
      if (d.t === "ArrayBuffer") return buffer;
      if (d.t === "DataView") return new DataView(buffer);
      const Ctor = TYPED_ARRAYS[d.t];
      if (!Ctor) throw new CodecError(`cannot decode bytes of unknown type ${d.t}`);
      return new Ctor(buffer);
    }
    case "regexp": {
      const re = new RegExp(d.source, d.flags);
      re.lastIndex = d.lastIndex;
      return re;
    }
    case "error": {
      const Ctor = ERROR_CTORS[d.name] ?? Error;
      // AggregateError takes (errors, message); its errors come back from `hidden` below.
      const error = d.name === "AggregateError" && typeof AggregateError === "function" ? new AggregateError([], d.message) : new Ctor(d.message);
      if (error.name !== d.name) Object.defineProperty(error, "name", { value: d.name, writable: true, configurable: true, enumerable: false });
      if (d.stack === null) delete (error as any).stack;
      else Object.defineProperty(error, "stack", { value: d.stack, writable: true, configurable: true, enumerable: false });
      // Own enumerable properties, enumerable again (also `name` when it was one, as in the
      // SuppressedError that the TypeScript/esbuild helpers build).
      for (const key of Object.keys(d.extra ?? {})) {
        Object.defineProperty(error, key, { value: decode(d.extra[key]), writable: true, configurable: true, enumerable: true });
      }
      for (const key of Object.keys(d.hidden ?? {})) {
        Object.defineProperty(error, key, { value: decode(d.hidden[key]), writable: true, configurable: true, enumerable: false });
      }
      return error;
    }
    case "class": {
      const codec = classesByName.get(d.c);
      if (!codec) throw new CodecError(`cannot decode an instance of class "${d.c}": no codec is registered for it (registerClass)`);
      return codec.decode(decode(d.v));
    }
    default:
      throw new CodecError(`cannot decode: unknown tag ${JSON.stringify(tag)}`);
  }
}

/** encode + JSON.stringify: the bytes a frame or payload occupies. */
export function serialize(value: unknown): string {
  return JSON.stringify(encode(value));
}

export function deserialize(text: string): unknown {
  return decode(JSON.parse(text) as Json);
}

/** Errors as plain data, for results and statuses. */
export function errorInfo(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: "Error", message: typeof error === "string" ? error : safeDescribe(error) };
}

function safeDescribe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The inverse of errorInfo: an Error with the original name, message and stack. */
export function errorFromInfo(info: { name: string; message: string; stack?: string }): Error {
  const Ctor = ERROR_CTORS[info.name] ?? Error;
  const error = new Ctor(info.message);
  if (error.name !== info.name) Object.defineProperty(error, "name", { value: info.name, writable: true, configurable: true, enumerable: false });
  if (info.stack !== undefined) Object.defineProperty(error, "stack", { value: info.stack, writable: true, configurable: true, enumerable: false });
  return error;
}
