/**
 * Deep copies of partition state for commit records, checkpoints and status
 * rows: the next batch may mutate the live objects while the copy waits for
 * its append, so every record handed to the store must own its data.
 *
 * `cloneJson(v)` equals `JSON.parse(JSON.stringify(v))` for every value the
 * partition state holds (plain objects, arrays, strings, finite numbers,
 * booleans, null; object properties that are `undefined` are dropped, as
 * JSON drops them), without building and parsing the text: on the Hello5
 * path that round trip was a sixth of the CPU (bench/runtime.ts).
 *
 * Invariant: the result shares no object with the input, and anything JSON
 * would transform rather than copy (a `toJSON` method, a non-finite number,
 * `undefined` in an array) is handed to JSON itself, so the two never differ.
 */
/** Nesting beyond which the copy is left to JSON (which reports cycles); partition state is a few levels deep. */
const MAX_CLONE_DEPTH = 64;

export function cloneJson<T>(value: T): T {
  const out = cloneAt(value, 0);
  return (out === FALLBACK ? JSON.parse(JSON.stringify(value)) : out) as T;
}

const FALLBACK = Symbol("fallback");

function cloneAt(v: unknown, depth: number): unknown {
  if (typeof v !== "object") {
    if (typeof v === "number" && !Number.isFinite(v)) return FALLBACK;
    return typeof v === "bigint" ? FALLBACK : v;
  }
  if (v === null) return null;
  if (depth >= MAX_CLONE_DEPTH) return FALLBACK;
  if (Array.isArray(v)) {
    const n = v.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const x = v[i];
      if (x === undefined || typeof x === "function" || typeof x === "symbol") return FALLBACK;
      const c = cloneAt(x, depth + 1);
      if (c === FALLBACK) return FALLBACK;
      out[i] = c;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if ((proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === "function") return FALLBACK;
  const out: { [k: string]: unknown } = {};
  for (const k in v as object) {
    const x = (v as { [k: string]: unknown })[k];
    if (x === undefined || typeof x === "function" || typeof x === "symbol") continue;
    const c = cloneAt(x, depth + 1);
    if (c === FALLBACK) return FALLBACK;
    out[k] = c;
  }
  return out;
}
