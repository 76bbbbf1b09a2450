/**
 * Keeps aliasing across steps. The codec copies shared references (and
 * rejects cycles), but JavaScript locals alias: `const b = a; await t;
 * b.push(1)` must change `a`. So before a frame leaves a step, every
 * container (array, plain object, Map, Set) reachable twice or more is moved
 * into `frame.heap` and each reference to it becomes a `HeapRef(id)`; the next
 * step resolves them back into one shared object.
 *
 * Invariant: unpack(pack(f)) has the same object graph (sharing and cycles
 * included) as f; a frame without shared containers is returned untouched
 * (no copy), which is the common case.
 */
import { registerClass } from "../codec.ts";
import { closureTag, makeClosure } from "./rt.ts";

/** A compiled async closure in a frame: its step function and scope chain (functions themselves cannot be stored). */
export class ClosureRef {
  constructor(readonly key: string, readonly chain: number[]) {}
}
registerClass({ name: "nwc.Closure", ctor: ClosureRef, encode: (c) => [c.key, c.chain], decode: ([k, c]: [string, number[]]) => new ClosureRef(k, c) });

export class HeapRef {
  constructor(readonly id: number) {}
}
registerClass({ name: "nwc.HeapRef", ctor: HeapRef, encode: (r) => r.id, decode: (id: number) => new HeapRef(id) });

/**
 * Built-in functions and namespace objects (Math.max, Array.prototype.push,
 * Math itself...) that compiled code may hold across an await (TypeScript
 * saves a callee before evaluating awaited arguments): stored by name.
 */
export class BuiltinRef {
  constructor(readonly name: string) {}
}
registerClass({ name: "nwc.Builtin", ctor: BuiltinRef, encode: (b) => b.name, decode: (n: string) => new BuiltinRef(n) });

const builtinByValue = new Map<unknown, string>();
const builtinByName = new Map<string, unknown>();
function addBuiltins(prefix: string, holder: any): void {
  for (const key of Object.getOwnPropertyNames(holder)) {
    const d = Object.getOwnPropertyDescriptor(holder, key);
    if (d && typeof d.value === "function" && !builtinByValue.has(d.value)) {
      builtinByValue.set(d.value, `${prefix}.${key}`);
      builtinByName.set(`${prefix}.${key}`, d.value);
    }
  }
}
const NAMESPACES: Record<string, object> = { Math, JSON, Reflect, Intl, console };
for (const [name, ns] of Object.entries(NAMESPACES)) {
  builtinByValue.set(ns, name);
  builtinByName.set(name, ns);
  addBuiltins(name, ns);
}
const CLASSES: Record<string, any> = { Object, Array, String, Number, Boolean, Map, Set, Date, RegExp, Error, BigInt, Symbol, Function };
for (const [name, ctor] of Object.entries(CLASSES)) {
  builtinByValue.set(ctor, name);
  builtinByName.set(name, ctor);
  addBuiltins(name, ctor);
  addBuiltins(`${name}.prototype`, ctor.prototype);
}
for (const name of ["parseInt", "parseFloat", "isNaN", "isFinite", "encodeURIComponent", "decodeURIComponent", "encodeURI", "decodeURI"]) {
  builtinByValue.set((globalThis as any)[name], name);
  builtinByName.set(name, (globalThis as any)[name]);
}

function isContainer(v: unknown): v is object {
  if (typeof v !== "object" || v === null) return false;
  if (Array.isArray(v) || v instanceof Map || v instanceof Set) return true;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

function mapChildren(v: object, fn: (c: unknown) => unknown): object {
  if (Array.isArray(v)) return v.map(fn);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [fn(k), fn(x)]));
  if (v instanceof Set) return new Set([...v].map(fn));
  const out: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.create(null) : {};
  for (const k of Object.keys(v)) out[k] = fn((v as any)[k]);
  return out;
}

/**
 * Counts the references to every container reachable from `v` (into `seen`);
 * true if a closure or built-in was met. Runs on every frame of every step,
 * so it is written for speed: primitives return at once, no closure per call.
 */
function countRefs(v: unknown, seen: Map<object, number>): boolean {
  if (typeof v === "function") return closureTag(v) !== undefined || builtinByValue.has(v);
  if (typeof v !== "object" || v === null) return false;
  if (builtinByValue.has(v)) return true; // a namespace object (Math, JSON...)
  if (!isContainer(v)) return false;
  const n = seen.get(v);
  seen.set(v, (n ?? 0) + 1);
  if (n !== undefined) return false;
  let closures = false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (countRefs(v[i], seen)) closures = true;
  } else if (v instanceof Map) {
    for (const [k, x] of v) if (countRefs(k, seen) || countRefs(x, seen)) closures = true;
  } else if (v instanceof Set) {
    for (const x of v) if (countRefs(x, seen)) closures = true;
  } else {
    for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k) && countRefs((v as any)[k], seen)) closures = true;
  }
  return closures;
}

/**
 * countRefs over a frame, skipping what only the engine builds and never aliases: task
 * records, waiter lists, scope chains, generator states, lock sets and the random
 * generator. Only where user values live (locals, task results, combinator slots,
 * values carried through a finally, saga inputs, and any field this does not know) is
 * walked, which is most of a step's cost saved on a small frame: its engine records
 * outnumber its user containers.
 */
function countFrameRefs(frame: Record<string, any>, seen: Map<object, number>): boolean {
  let closures = false;
  for (const key in frame) {
    const v = frame[key];
    switch (key) {
      case "tasks":
        for (const id in v) {
          const t = v[id];
          if ("v" in t && countRefs(t.v, seen)) closures = true;
          if (t.c !== undefined && countRefs(t.c.vals, seen)) closures = true;
        }
        break;
      case "branches":
        for (const id in v) {
          const b = v[id];
          for (const op of b.g.ops) if (countRefs(op[1], seen)) closures = true;
          for (const outer of b.d ?? []) for (const op of outer.g.ops) if (countRefs(op[1], seen)) closures = true;
        }
        break;
      case "scopes":
        for (const id in v) {
          const scope = v[id];
          for (const local in scope) if (countRefs(scope[local], seen)) closures = true;
        }
        break;
      case "locks":
      case "rng":
        break;
      default:
        if (countRefs(v, seen)) closures = true;
    }
  }
  return closures;
}

/** Moves shared containers of `frame` into `frame.heap` (a new frame object if any are shared). */
export function pack<F extends object>(frame: F): F {
  const seen = new Map<object, number>();
  const closures = countFrameRefs(frame as Record<string, any>, seen);
  const ids = new Map<object, number>();
  for (const [obj, n] of seen) if (n > 1 && obj !== frame) ids.set(obj, ids.size);
  if (ids.size === 0 && !closures) return frame;
  const heap: Record<number, unknown> = {};
  const copy = (v: unknown): unknown => {
    const builtin = builtinByValue.get(v);
    if (builtin !== undefined) return new BuiltinRef(builtin);
    if (typeof v === "function") {
      const tag = closureTag(v);
      return tag ? new ClosureRef(tag.key, tag.chain) : v;
    }
    if (!isContainer(v)) return v;
    const id = ids.get(v);
    if (id === undefined) return mapChildren(v, copy);
    if (!(id in heap)) {
      heap[id] = null; // placeholder first: a cycle back to v meets the HeapRef, not endless recursion
      heap[id] = mapChildren(v, copy);
    }
    return new HeapRef(id);
  };
  const out = mapChildren(frame, copy) as any;
  out.heap = heap;
  return out as F;
}

/** Resolves the HeapRefs of a decoded frame in place (the inverse of pack). */
export function unpack<F extends object>(frame: F): F {
  // pack() adds `heap` (possibly empty) whenever it replaced anything; without it there is nothing to resolve.
  const heap = (frame as any).heap as Record<string, object> | undefined;
  if (!heap) return frame;
  delete (frame as any).heap;
  const done = new Set<object>();
  const resolve = (v: unknown): unknown => {
    if (v instanceof HeapRef) {
      const obj = heap[v.id];
      if (!obj) throw new Error(`nwc engine: frame heap has no object ${v.id} (corrupt frame)`);
      fix(obj);
      return obj;
    }
    if (v instanceof ClosureRef) return makeClosure(v.key, v.chain);
    if (v instanceof BuiltinRef) {
      if (!builtinByName.has(v.name)) throw new Error(`nwc engine: unknown built-in ${v.name} in frame`);
      return builtinByName.get(v.name);
    }
    if (isContainer(v)) fix(v);
    return v;
  };
  const fix = (obj: object): void => {
    if (done.has(obj)) return;
    done.add(obj);
    if (Array.isArray(obj)) for (let i = 0; i < obj.length; i++) obj[i] = resolve(obj[i]);
    else if (obj instanceof Map) {
      const entries = [...obj].map(([k, x]) => [resolve(k), resolve(x)] as const);
      obj.clear();
      for (const [k, x] of entries) obj.set(k, x);
    } else if (obj instanceof Set) {
      const items = [...obj].map(resolve);
      obj.clear();
      for (const x of items) obj.add(x);
    } else for (const k of Object.keys(obj)) (obj as any)[k] = resolve((obj as any)[k]);
  };
  fix(frame);
  return frame;
}
