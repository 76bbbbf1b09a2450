/**
 * The built-in kinds the codec keeps, recognised by exact prototype: a
 * subclass (`class Money extends Date`, `class NotFound extends Error`, a
 * typed-array subclass) is not its base class, and decoding it as one would
 * lose `instanceof`, so it must be registered (`registerClass`) or is refused.
 */
import { NodeBuffer, TYPED_ARRAYS } from "./bytes.ts";

export const enum Kind { Date, Map, Set, RegExp, ArrayBuffer, View, Buffer, Error }

export const KIND_BY_PROTO = new Map<object, Kind>([
  [Date.prototype, Kind.Date],
  [Map.prototype, Kind.Map],
  [Set.prototype, Kind.Set],
  [RegExp.prototype, Kind.RegExp],
  [ArrayBuffer.prototype, Kind.ArrayBuffer],
]);
for (const ctor of Object.values(TYPED_ARRAYS)) KIND_BY_PROTO.set(ctor.prototype, Kind.View);
if (NodeBuffer) KIND_BY_PROTO.set(NodeBuffer.prototype, Kind.Buffer);

export const ERROR_CTORS: Record<string, new (message?: string) => Error> = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError,
};
if (typeof AggregateError === "function") ERROR_CTORS.AggregateError = AggregateError as any;
const Suppressed = (globalThis as any).SuppressedError;
if (typeof Suppressed === "function") ERROR_CTORS.SuppressedError = Suppressed;
for (const ctor of Object.values(ERROR_CTORS)) KIND_BY_PROTO.set(ctor.prototype, Kind.Error);

/** Own properties an Error may have besides enumerable ones: its fields, and the data fields built-in errors keep hidden. */
export const ERROR_FIELDS = new Set(["stack", "message", "name"]);
export const HIDDEN_ERROR_FIELDS = new Set(["cause", "errors", "error", "suppressed"]);

/** Builds an error of the named built-in class; AggregateError and SuppressedError take other arguments first. */
export function newError(ctorName: string, message: string | undefined): Error {
  const Ctor = ERROR_CTORS[ctorName] ?? Error;
  const args = message === undefined ? [] : [message];
  if (ctorName === "AggregateError") return new (Ctor as any)([], ...args);
  if (ctorName === "SuppressedError") return new (Ctor as any)(undefined, undefined, ...args);
  return new Ctor(...args);
}
