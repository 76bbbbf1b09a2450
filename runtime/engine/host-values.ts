/**
 * Functions a frame may hold, taught to the codec as host values (frames
 * only, never payloads): compiled async closures, stored as their step
 * function's key and scope chain, and built-in functions and namespace
 * objects (`Math.max`, `Array.prototype.push`, `Math`; TypeScript saves a
 * callee before evaluating awaited arguments), stored by name.
 *
 * Also two markers: a binding in its temporal dead zone (tdz.ts), and a saved
 * callee to read again (callee.ts).
 *
 * Identity is the codec's: a closure referenced twice is encoded once and
 * decoded into one function, so `a === b` and `set.has(f)` hold after a resume.
 *
 * Invariant: a decoded closure calls the same step function with the same
 * scope chain; a decoded built-in is the same built-in of this realm.
 */
import { CodecError, declareExactCodec, registerHostValue } from "../codec.ts";
import { closureTag, makeClosure } from "./rt.ts";
import { UNINITIALIZED } from "./tdz.ts";
import { READ_AGAIN } from "./callee.ts";

const builtinByValue = new Map<unknown, string>();
const builtinByName = new Map<string, unknown>();

function addBuiltin(name: string, value: unknown): void {
  if (builtinByValue.has(value)) return;
  builtinByValue.set(value, name);
  builtinByName.set(name, value);
}

function addMethods(prefix: string, holder: any): void {
  for (const key of Object.getOwnPropertyNames(holder)) {
    const d = Object.getOwnPropertyDescriptor(holder, key);
    if (d && typeof d.value === "function") addBuiltin(`${prefix}.${key}`, d.value);
  }
}

const NAMESPACES: Record<string, object> = { Math, JSON, Reflect, Intl, console };
for (const [name, ns] of Object.entries(NAMESPACES)) {
  addBuiltin(name, ns);
  addMethods(name, ns);
}
const CLASSES: Record<string, any> = { Object, Array, String, Number, Boolean, Map, Set, Date, RegExp, Error, BigInt, Symbol, Function };
for (const [name, ctor] of Object.entries(CLASSES)) {
  addBuiltin(name, ctor);
  addMethods(name, ctor);
  addMethods(`${name}.prototype`, ctor.prototype);
}
for (const name of ["parseInt", "parseFloat", "isNaN", "isFinite", "encodeURIComponent", "decodeURIComponent", "encodeURI", "decodeURI"]) {
  addBuiltin(name, (globalThis as any)[name]);
}

/** A built-in function or namespace object a frame may hold. */
export function isFrameBuiltin(v: unknown): boolean {
  return builtinByValue.has(v);
}

registerHostValue({
  name: "nwc.Closure",
  encode: (v) => {
    const tag = closureTag(v);
    return tag ? [tag.key, tag.chain] : undefined;
  },
  decode: ([key, chain]: [string, number[]]) => makeClosure(key, chain),
});

registerHostValue({
  name: "nwc.Builtin",
  encode: (v) => builtinByValue.get(v),
  decode: (name: string) => {
    if (!builtinByName.has(name)) throw new CodecError(`cannot decode: unknown built-in ${JSON.stringify(name)} in a frame`);
    return builtinByName.get(name);
  },
});

registerHostValue({
  name: "nwc.Uninitialized",
  encode: (v) => (v === UNINITIALIZED ? 1 : undefined),
  decode: () => UNINITIALIZED,
});

registerHostValue({
  name: "nwc.ReadAgain",
  encode: (v) => (v === READ_AGAIN ? 1 : undefined),
  decode: () => READ_AGAIN,
});

// Decoding a built-in or a marker gives the very same object; a closure is rebuilt as a new function.
declareExactCodec("nwc.Builtin");
declareExactCodec("nwc.Uninitialized");
declareExactCodec("nwc.ReadAgain");
