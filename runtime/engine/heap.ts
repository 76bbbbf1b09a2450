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

function isContainer(v: unknown): v is object {
  if (typeof v !== "object" || v === null) return false;
  if (Array.isArray(v) || v instanceof Map || v instanceof Set) return true;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

function children(v: object, fn: (c: unknown) => void): void {
  if (Array.isArray(v)) v.forEach(fn);
  else if (v instanceof Map) v.forEach((x, k) => { fn(k); fn(x); });
  else if (v instanceof Set) v.forEach(fn);
  else for (const k of Object.keys(v)) fn((v as any)[k]);
}

function mapChildren(v: object, fn: (c: unknown) => unknown): object {
  if (Array.isArray(v)) return v.map(fn);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [fn(k), fn(x)]));
  if (v instanceof Set) return new Set([...v].map(fn));
  const out: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.create(null) : {};
  for (const k of Object.keys(v)) out[k] = fn((v as any)[k]);
  return out;
}

/** Moves shared containers of `frame` into `frame.heap` (a new frame object if any are shared). */
export function pack<F extends object>(frame: F): F {
  const seen = new Map<object, number>();
  let closures = false;
  const count = (v: unknown): void => {
    if (typeof v === "function" && closureTag(v)) closures = true;
    if (!isContainer(v)) return;
    const n = seen.get(v);
    seen.set(v, (n ?? 0) + 1);
    if (n === undefined) children(v, count);
  };
  count(frame);
  const ids = new Map<object, number>();
  for (const [obj, n] of seen) if (n > 1 && obj !== frame) ids.set(obj, ids.size);
  if (ids.size === 0 && !closures) return frame;
  const heap: Record<number, unknown> = {};
  const copy = (v: unknown): unknown => {
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
  const heap = ((frame as any).heap ?? {}) as Record<string, object>;
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
