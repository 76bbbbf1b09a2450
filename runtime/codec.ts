/**
 * The codec: turns frames and payloads into JSON-compatible data and back.
 *
 * Kept exactly: JSON data; `undefined`, NaN, ±Infinity, -0 and BigInt; arrays
 * (with extra properties such as a RegExp match's `index`, and frozen, sealed
 * or non-extensible); plain objects (also `Object.create(null)` ones, an own
 * `__proto__` key, frozen, sealed or non-extensible ones); `Date` (an Invalid
 * Date too); `Map`; `Set`; `RegExp` (source, flags, lastIndex); `ArrayBuffer`,
 * typed arrays and `DataView` (views of one buffer keep sharing it); Node's
 * `Buffer` (decoded as a Buffer where Node's exists, else as a Uint8Array;
 * its own bytes only, so it shares no memory with other views after a
 * resume); built-in errors (class, name, message, stack, own enumerable
 * properties, `cause`, AggregateError's `errors`, SuppressedError's fields);
 * instances of classes registered with `registerClass`. And the identity of
 * every object, as structured clone keeps it: shared references stay shared,
 * cycles round-trip.
 *
 * Refused, with a `CodecError` naming the path: functions, symbols, promises,
 * symbol-keyed, non-enumerable, getter/setter or read-only properties, array
 * holes, instances of unregistered classes, subclasses of built-in classes
 * (Error, Date, Map, typed arrays, ...), built-in objects with own properties,
 * resizable or shared buffers. `encodeFrame` also accepts the host values
 * registered by the engine (compiled closures, built-in functions).
 *
 * Encoding: special values become `{ "$nwc": tag, ... }`; a plain object that
 * itself has a "$nwc" key is wrapped as `{ "$nwc": "object", "v": {...} }`, so
 * no user value is ever mistaken for a tag. See codec/encode.ts.
 *
 * Invariant: decode(encode(x)) is x up to identity (same graph of the same
 * kinds of objects, same properties), or encode throws; never a changed value.
 */
import type { Json } from "./backends/types.ts";
import { decodeValue } from "./codec/decode.ts";
import { encodeValue, encodeValueChecked } from "./codec/encode.ts";
import { frameTextOf, type FrameText } from "./codec/encode-text.ts";
export type { FrameText } from "./codec/encode-text.ts";
import { ERROR_CTORS } from "./codec/kinds.ts";

import { addClass, type ClassCodec } from "./codec/registry.ts";

export { CodecError, declareExactCodec, registerFrameShape, registerHostValue, type ClassCodec, type RecordShape, type HostCodec } from "./codec/registry.ts";

/** Lets instances of `ctor` live in frames and payloads. (Declared here: the compiler finds user codecs by this declaration.) */
export function registerClass<T>(codec: ClassCodec<T>): void {
  addClass(codec);
}

/** A payload (input, output, result, event data, entity state) to JSON data; paths in errors start at `$`. */
export function encode(value: unknown): Json {
  return encodeValue(value, "$", false);
}

/** A machine frame to JSON data: like `encode`, and also the engine's host values; paths in errors start at `frame`. */
export function encodeFrame(value: unknown): Json {
  return encodeValue(value, "frame", true);
}

/**
 * `encodeFrame`, also saying whether the frame object itself may be given to
 * the next step instead of decode(json): true when decoding would rebuild the
 * same graph of the same values (see codec/encode.ts, encodeValueChecked).
 */
export function encodeFrameChecked(value: unknown): { json: Json; roundTripsExactly: boolean } {
  return encodeValueChecked(value, "frame", true);
}

/**
 * `encodeFrameChecked` as JSON text: `JSON.stringify` of its `json`, written
 * directly when the frame holds only what codec/encode-text.ts writes (most
 * frames), else through the encoded tree. Throws what encodeFrame throws.
 */
export function encodeFrameText(value: unknown): FrameText {
  const direct = frameTextOf(value);
  if (direct !== undefined) return direct;
  const { json, roundTripsExactly } = encodeFrameChecked(value);
  return { text: JSON.stringify(json), roundTripsExactly };
}

export function decode(data: Json): unknown {
  return decodeValue(data);
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
  const error = info.name === "AggregateError" ? new (Ctor as any)([], info.message) : new Ctor(info.message);
  if (error.name !== info.name) Object.defineProperty(error, "name", { value: info.name, writable: true, configurable: true, enumerable: false });
  if (info.stack !== undefined) Object.defineProperty(error, "stack", { value: info.stack, writable: true, configurable: true, enumerable: false });
  return error;
}
