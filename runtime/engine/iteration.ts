/**
 * for...of over values not typed as arrays, in compiled code (the lowering is
 * compiler/transforms/iteration.ts).
 *
 * - Without an await in the loop body, the loop never leaves its step: a lazy
 *   array-like view pulls one item per iteration from the real iterator, and the
 *   loop's `finally` closes the iterator (`return()`) when the loop is left before
 *   the iterator is done, as for...of does (a generator's `finally` then runs).
 * - With an await in the body, the loop's position must live in the frame, where
 *   no iterator can: a cursor of plain data walks the collection as it is at each
 *   iteration. Arrays and typed arrays by index (items pushed meanwhile are
 *   visited); Sets and Maps by their current order, skipping the prefix of entries
 *   the loop has passed (entries added meanwhile are visited, deleted ones are
 *   not); strings by their code points; anything
 *   else (a generator, a user class's iterable, a Map's `entries()`) is refused with a
 *   TypeError (NWC3020 at compile time when its type shows it): it would have to be
 *   read to its end before the body runs.
 *
 * An entry deleted and added again after the loop passed it is at the end of
 * the order again, and visited again. The cursor learns of deletions made in
 * the loop body through the loop's own binding (`deleteLive`); one made
 * elsewhere (an alias, a helper, a concurrent branch) it recognises by the
 * visit order, except when the entries re-added keep the order in which they
 * were visited and nothing unvisited follows them (the loop then ends, where
 * the language would visit them again).
 */

interface LazyState {
  it: Iterator<unknown>;
  items: unknown[];
  /** The iterator said done, or its `next()` threw: for...of closes it in neither case. */
  finished: boolean;
  closed: boolean;
}

const lazyStates = new WeakMap<object, LazyState>();

export function notIterable(value: unknown): TypeError {
  return new TypeError(`${value === null ? "null" : typeof value} is not iterable`);
}

function iteratorOf(value: unknown): Iterator<unknown> {
  if (value == null || typeof (value as any)[Symbol.iterator] !== "function") throw notIterable(value);
  return (value as Iterable<unknown>)[Symbol.iterator]();
}

/**
 * An array-like view that pulls from the iterator as the lowered loop reads `length`
 * and indexes (one `next()` per iteration, as for...of does), so an endless generator
 * left with `break` works. It never lives across an await, so it need not be serializable.
 */
export function lazyView(value: unknown, closeAt = Infinity): unknown {
  if (Array.isArray(value)) return value;
  const state: LazyState = { it: iteratorOf(value), items: [], finished: false, closed: false };
  const pullTo = (i: number) => {
    while (!state.finished && state.items.length <= i) {
      let r: IteratorResult<unknown>;
      try {
        r = state.it.next();
      } catch (e) {
        state.finished = true;
        throw e;
      }
      if (r.done) state.finished = true;
      else state.items.push(r.value);
    }
  };
  // A plain object to everything else (no own keys): should the lowered loop's temporary
  // still be in the frame when the step ends, the codec saves `{}` (the loop is over, the
  // value dead) instead of reading an endless iterator to its end.
  const view = new Proxy({}, {
    get(_target, key) {
      if (key === "length") {
        pullTo(state.items.length);
        return state.items.length;
      }
      if (typeof key === "string" && /^\d+$/.test(key)) {
        if (Number(key) >= closeAt) {
          // Past the destructuring pattern's last element: close the iterator, as the pattern's end does.
          closeLazy(view, false);
          return undefined;
        }
        pullTo(Number(key));
        return state.items[Number(key)];
      }
      if (key === "slice") {
        pullTo(Infinity);
        return (start?: number, end?: number) => state.items.slice(start, end);
      }
      return undefined;
    },
  });
  lazyStates.set(view, state);
  return view;
}

/**
 * The end of a for...of over a lazy view. `thrown`: the loop is left by an exception
 * (the iterator's `return()` is called and its own error ignored, as IteratorClose
 * does for a throw completion); else by break, return or normal completion (closed
 * only if not finished, and a throwing `return()` or a non-object result is an error).
 */
export function closeLazy(view: unknown, thrown: boolean): void {
  const state = typeof view === "object" && view !== null ? lazyStates.get(view) : undefined;
  if (!state || state.finished || state.closed) return;
  state.closed = true;
  const ret = (state.it as any).return;
  if (thrown) {
    try {
      if (ret != null) ret.call(state.it);
    } catch {
      // The loop's own exception wins.
    }
    return;
  }
  if (ret == null) return;
  if (typeof ret !== "function") throw new TypeError("iterator.return is not a function");
  const r = ret.call(state.it);
  if (typeof r !== "object" || r === null) throw new TypeError(`Iterator result ${String(r)} is not an object`);
}

/**
 * Array destructuring of a non-array whose pattern runs code between the reads (default
 * values, nested patterns, property targets): a lazy view that pulls an item when the
 * lowered pattern reads it, so that code runs between the reads as in the language;
 * reading index `count` (an element the compiler adds past the pattern's end, absent
 * with a rest element, which reads to the end) closes the iterator if it is not done.
 */
export function pullItems(value: unknown, count: number): unknown {
  return lazyView(value, count);
}

/**
 * Array destructuring of a non-array: the first `count` items (all for Infinity), then
 * `return()` if the iterator is not done, as destructuring closes it. The pattern's
 * elements are plain bindings, so nothing runs between the reads (else `pullItems`).
 */
export function takeItems(value: unknown, count: number): unknown {
  if (Array.isArray(value)) return value;
  const it = iteratorOf(value);
  const items: unknown[] = [];
  let done = false;
  while (items.length < count) {
    const r = it.next();
    if (r.done) {
      done = true;
      break;
    }
    items.push(r.value);
  }
  if (!done) {
    const ret = (it as any).return;
    if (ret != null) {
      if (typeof ret !== "function") throw new TypeError("iterator.return is not a function");
      const r = ret.call(it);
      if (typeof r !== "object" || r === null) throw new TypeError(`Iterator result ${String(r)} is not an object`);
    }
  }
  return items;
}

/**
 * Array destructuring whose pattern awaits (`const [a = await f(), b] = v`): the iterator
 * would have to live in the frame across the await, where no iterator can. An array is
 * read by index, as the pattern reads it, and a string cannot change; anything else is
 * refused (NWC3020 when its type is visible) rather than read to its end first.
 */
export function awaitingPatternItems(value: unknown): unknown {
  if (Array.isArray(value)) return value;
  if (typeof value === "string") return Array.from(value);
  iteratorOf(value);
  throw new TypeError(
    `array destructuring of ${describeIterable(value)} with an await in the pattern cannot run as written: its items would have to be ` +
      `read before the await (an iterator cannot be saved in the frame; NWC3020, here the type was not visible to the compiler). ` +
      `Destructure first and await after, or collect the items first (\`[...value]\`)`,
  );
}

/** The frame-storable position of a for...of whose body awaits (see the header). */
export interface LiveCursor {
  /** The collection: an array, typed array, Set or Map, or the items read from anything else. */
  c: unknown;
  /** "i": by index; "s": a Set; "m": a Map. */
  k: "i" | "s" | "m";
  /** Next index ("i"), or how many entries were visited ("s", "m"). */
  i: number;
  /** Sets and Maps: the visit number of each key, at its latest visit. */
  seen?: Map<unknown, number>;
  done: boolean;
  /** The current item. */
  v: unknown;
}

/** Only the built-in classes themselves: the frame keeps their instances (not a subclass's), and their iteration is known. */
function ownIterationOf(value: unknown, proto: object): boolean {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === proto &&
    (value as any)[Symbol.iterator] === (proto as any)[Symbol.iterator];
}

export const GENERATOR_IN_AWAITING_LOOP =
  "for...of over a generator object with an await in the loop body cannot run as written: a generator cannot be saved in the frame " +
  "(NWC3020; here its type was not visible to the compiler). Collect the items first (`[...gen]`), or give the value its type";

export function liveCursor(value: unknown): LiveCursor {
  if (ownIterationOf(value, Set.prototype)) return { c: value, k: "s", i: 0, seen: new Map(), done: false, v: undefined };
  if (ownIterationOf(value, Map.prototype)) return { c: value, k: "m", i: 0, seen: new Map(), done: false, v: undefined };
  const byIndex = ownIterationOf(value, Array.prototype) || isTypedArrayIterator(value);
  if (byIndex) {
    return { c: value, k: "i", i: 0, done: false, v: undefined };
  }
  // A generator cannot live in the frame, and reading it here would run its code (its
  // finally too) before the loop body. The compiler reports the typed case (NWC3020);
  // a generator that reaches this point untyped (`any`) fails the step instead.
  if (Object.prototype.toString.call(value) === "[object Generator]") throw new TypeError(GENERATOR_IN_AWAITING_LOOP);
  // A string cannot change: its code points, read now, are what the loop would read one by one.
  if (typeof value === "string") return { c: Array.from(value), k: "i", i: 0, done: false, v: undefined };
  iteratorOf(value); // a value that is not iterable fails as for...of fails
  throw new TypeError(ITERABLE_IN_AWAITING_LOOP(value));
}

/**
 * Any other iterable (a user class's, a Map's `entries()`, a Set subclass) would have to be
 * read to its end when the loop starts, before the body runs: its code and what the body
 * changes meanwhile would be seen in another order. Typed, the compiler reports it (NWC3020).
 */
const ITERABLE_IN_AWAITING_LOOP = (value: unknown): string =>
  `for...of over ${describeIterable(value)} with an await in the loop body cannot run as written: only arrays, typed arrays, ` +
  `Sets, Maps and strings can be walked across awaits (an iterator cannot be saved in the frame; NWC3020, here the type was not ` +
  `visible to the compiler). Collect the items first (\`[...value]\`), or iterate the array, Set or Map itself`;

function describeIterable(value: unknown): string {
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  const ctor = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof ctor === "string" && ctor && ctor !== "Object" && ctor !== tag ? `an instance of ${ctor}` : `a ${tag}`;
}

function isTypedArrayIterator(value: unknown): boolean {
  if (!ArrayBuffer.isView(value) || value instanceof DataView) return false;
  const proto = Object.getPrototypeOf(Object.getPrototypeOf(value));
  return (value as any)[Symbol.iterator] === proto?.[Symbol.iterator];
}

/** Advances the cursor: true with the next item in `v`, false when the loop is over. */
/**
 * `s.delete(k)` or `s.clear()` (`key` empty) in the body of a live loop over `s`: the cursor
 * forgets the visits of the deleted entries, so one added again (at the end of the order,
 * as the language puts it) is visited again.
 */
export function deleteLive(cur: LiveCursor, collection: any, key: unknown[]): unknown {
  const r = key.length ? collection.delete(key[0]) : collection.clear();
  if (cur.c === collection && cur.seen) {
    if (key.length) cur.seen.delete(key[0]);
    else cur.seen.clear();
  }
  return r;
}

// The Set and Map walk is linear in the collection per iteration: an await per iteration costs more.
export function nextLive(cur: LiveCursor): boolean {
  if (cur.done) return false;
  if (cur.k === "i") {
    const arr = cur.c as ArrayLike<unknown>;
    if (cur.i < arr.length) {
      cur.v = arr[cur.i++];
      return true;
    }
    cur.done = true;
    cur.v = undefined;
    return false;
  }
  // The entries the loop has passed are a prefix of the current order, in the order they
  // were visited: the first key that breaks that run (never visited, or visited before an
  // entry that precedes it, so added again since) is the next one.
  const seen = cur.seen!;
  let last = -1;
  const visit = (key: unknown, item: unknown): boolean => {
    const n = seen.get(key);
    if (n !== undefined && n > last) {
      last = n;
      return false;
    }
    seen.set(key, cur.i++);
    cur.v = item;
    return true;
  };
  if (cur.k === "s") {
    for (const key of cur.c as Set<unknown>) if (visit(key, key)) return true;
  } else {
    for (const [key, value] of cur.c as Map<unknown, unknown>) if (visit(key, [key, value])) return true;
  }
  cur.done = true;
  cur.v = undefined;
  cur.seen = undefined;
  return false;
}
