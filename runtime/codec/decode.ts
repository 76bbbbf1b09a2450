/**
 * The decoder: the inverse of encode.ts. It numbers objects in the order it
 * creates them, which is the order the encoder first met them (depth first,
 * in property order), so `{ "$nwc": "ref", "i": n }` finds the same object
 * and shared references and cycles come back shared.
 *
 * Iterative and linear, like the encoder. Data it cannot read (corrupt, or
 * from a foreign writer) is a `CodecError`, never a crash of its caller.
 */
import type { Json } from "../backends/types.ts";
import { base64ToBytes, toNodeBuffer, TYPED_ARRAYS } from "./bytes.ts";
import { newError } from "./kinds.ts";
import { classesByName, CodecError, hostByName } from "./registry.ts";
import { reverseItems, STRIDE } from "./work-stack.ts";

/** Marks, in the work stack, a finishing job run after a container's children (data is the job). */
const EXIT: unknown[] = [];
/** The slot of a value built only after its data is decoded (class, host value, typed-array view). */
const PENDING = Symbol("pending");

type Mode = "frozen" | "sealed" | "nonext";
const APPLY_MODE: Record<Mode, (o: object) => void> = { frozen: Object.freeze, sealed: Object.seal, nonext: Object.preventExtensions };

function put(target: any, slot: string | number, value: unknown): void {
  if (slot === "__proto__") Object.defineProperty(target, slot, { value, writable: true, enumerable: true, configurable: true });
  else target[slot] = value;
}

function fail(why: string): never {
  throw new CodecError(`cannot decode: ${why}`);
}

export function decodeValue(data: Json): unknown {
  if (data === null || typeof data !== "object") return data;
  try {
    return new Decoder().run(data);
  } catch (error) {
    if (error instanceof CodecError) throw error;
    throw new CodecError(`cannot decode: ${(error as Error)?.message ?? String(error)} (corrupt data?)`);
  }
}

/** Nesting handled by recursion before the explicit work stack takes over (as in encode.ts). */
const RECURSION_DEPTH = 200;

class Decoder {
  private readonly objs: unknown[] = [];
  private readonly stack: unknown[] = [];
  private sp = 0;
  private depth = 0;
  /** Deep containers stored out of line by the encoder (SPILL_DEPTH in encode.ts). */
  private spill: Json[] = [];

  run(data: Json): unknown {
    const holder: unknown[] = [undefined];
    const graph = data as { $nwc?: unknown; v?: Json; s?: Json[] };
    if (!Array.isArray(data) && graph.$nwc === "graph") {
      if (!Array.isArray(graph.s)) fail("bad graph");
      this.spill = graph.s;
      data = graph.v ?? null;
    }
    this.child(data, holder, 0);
    this.drainTo(0);
    return holder[0];
  }

  private drainTo(mark: number): void {
    const stack = this.stack;
    while (this.sp > mark) {
      const n = (this.sp -= STRIDE);
      const d = stack[n], target = stack[n + 1], slot = stack[n + 2] as string | number;
      this.depth = stack[n + 3] as number;
      stack[n] = stack[n + 1] = undefined;
      if (target === EXIT) (d as () => void)();
      else put(target, slot, this.node(d as Json, target, slot));
    }
  }

  private push(d: unknown, target: unknown, slot: string | number): void {
    const s = this.stack;
    const i = this.sp;
    s[i] = d;
    s[i + 1] = target;
    s[i + 2] = slot;
    s[i + 3] = this.depth + 1;
    this.sp = i + STRIDE;
  }

  /** A job to run once the children queued after it are done. */
  private finish(job: () => void): void {
    this.push(job, EXIT, 0);
  }

  /** A child: decoded now (recursion) while shallow, queued deeper; a placeholder keeps the key order. */
  private child(d: Json, target: any, slot: string | number): void {
    if (d === null || typeof d !== "object") return put(target, slot, d);
    if (this.depth < RECURSION_DEPTH) {
      const mark = this.sp, depth = this.depth;
      this.depth = depth + 1;
      put(target, slot, this.node(d, target, slot));
      this.drainTo(mark);
      this.depth = depth;
      return;
    }
    put(target, slot, undefined);
    this.push(d, target, slot);
  }

  private reverseFrom(start: number): void {
    reverseItems(this.stack, start, this.sp);
  }

  private register<T>(v: T): T {
    this.objs.push(v);
    return v;
  }

  /**
   * Decodes (or queues) the values of `from` into `into`. Callers queue all children of a
   * container first to last and then reverse the queued run once (`inOrder`), so that they
   * decode in the encoder's order whether they recursed or were queued.
   */
  // Leaves are stored here, in a site per container kind: one shared store site for
  // arrays and objects, number and string keys, is what made decoding slow (megamorphic).
  private fields(from: Json, into: { [k: string]: unknown }): void {
    if (from === null || typeof from !== "object" || Array.isArray(from)) fail("expected an object of fields");
    const keys = Object.keys(from);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const d = from[key]!;
      if (d !== null && typeof d === "object") this.child(d, into, key);
      else if (key === "__proto__") put(into, key, d);
      else into[key] = d;
    }
  }

  private items(from: Json, into: unknown[]): void {
    if (!Array.isArray(from)) fail("expected an array");
    for (let i = 0; i < from.length; i++) {
      const d = from[i]!;
      if (d !== null && typeof d === "object") this.child(d, into, i);
      else into[i] = d;
    }
  }

  /** Reverses the children queued since `start` (the stack pops the last pushed first). */
  private inOrder(start: number): void {
    if (this.sp - start > STRIDE) this.reverseFrom(start);
  }

  private node(d: Json, target: any, slot: string | number): unknown {
    const start = this.sp;
    if (Array.isArray(d)) {
      const out = this.register([] as unknown[]);
      this.items(d, out);
      this.inOrder(start);
      return out;
    }
    const o = d as { [k: string]: any };
    const tag = o.$nwc;
    if (tag === undefined) {
      const out = this.register({});
      this.fields(o, out);
      this.inOrder(start);
      return out;
    }
    switch (tag) {
      case "ref": {
        const v = Number.isInteger(o.i) && o.i >= 0 && o.i < this.objs.length ? this.objs[o.i] : fail(`reference to unknown object ${JSON.stringify(o.i)}`);
        if (v === PENDING) fail(`reference to object ${o.i} from inside its own data`);
        return v;
      }
      case "at": {
        const out = Number.isInteger(o.i) && o.i >= 0 && o.i < this.spill.length ? this.spill[o.i]! : fail(`reference to unknown out-of-line node ${JSON.stringify(o.i)}`);
        if (out === null || typeof out !== "object") fail("bad out-of-line node");
        return this.node(out, target, slot);
      }
      case "undefined":
        return undefined;
      case "number":
        return o.v === "-0" ? -0 : o.v === "NaN" || o.v === "Infinity" || o.v === "-Infinity" ? Number(o.v) : fail(`bad number ${JSON.stringify(o.v)}`);
      case "bigint":
        return BigInt(o.v);
      case "object": {
        const out = this.register(o.p === null ? Object.create(null) : {});
        if (o.x !== undefined) this.finish(this.modeJob(out, o.x));
        const children = this.sp;
        this.fields(o.v, out);
        this.inOrder(children);
        return out;
      }
      case "array": {
        const out = this.register([] as unknown[]);
        if (o.x !== undefined) this.finish(this.modeJob(out, o.x));
        const children = this.sp;
        // Elements first, then the extra properties: the encoder's order.
        this.items(o.v, out);
        if (o.p !== undefined) this.fields(o.p, out as unknown as { [k: string]: unknown });
        this.inOrder(children);
        return out;
      }
      case "date":
        return this.register(new Date(o.v === null ? NaN : typeof o.v === "number" ? o.v : fail("bad date")));
      case "map": {
        const m = this.register(new Map());
        const flat: unknown[] = [];
        this.finish(() => {
          for (let i = 0; i < flat.length; i += 2) m.set(flat[i], flat[i + 1]);
        });
        if (!Array.isArray(o.v)) fail("bad map");
        const children = this.sp;
        (o.v as Json[]).forEach((pair, i) => {
          if (!Array.isArray(pair) || pair.length !== 2) fail("bad map entry");
          this.child(pair[0]!, flat, 2 * i);
          this.child(pair[1]!, flat, 2 * i + 1);
        });
        this.inOrder(children);
        return m;
      }
      case "set": {
        const s = this.register(new Set());
        const items: unknown[] = [];
        this.finish(() => items.forEach((x) => s.add(x)));
        const children = this.sp;
        this.items(o.v, items);
        this.inOrder(children);
        return s;
      }
      case "regexp": {
        const re = new RegExp(o.source, o.flags);
        re.lastIndex = o.lastIndex;
        return this.register(re);
      }
      case "bytes":
        return this.bytes(o);
      case "error":
        return this.error(o);
      case "class":
      case "host": {
        const codec = tag === "class" ? classesByName.get(o.c) : hostByName.get(o.c);
        if (!codec) {
          fail(tag === "class" ? `an instance of class "${o.c}" has no codec registered (registerClass)` : `unknown host value "${o.c}"`);
        }
        const at = this.objs.length;
        this.register(PENDING);
        const data: unknown[] = [undefined];
        this.finish(() => {
          const v = codec.decode(data[0]);
          this.objs[at] = v;
          put(target, slot, v);
        });
        this.child(o.v, data, 0);
        return undefined;
      }
      default:
        return fail(`unknown tag ${JSON.stringify(tag)}`);
    }
  }

  private modeJob(out: object, mode: unknown): () => void {
    const apply = APPLY_MODE[mode as Mode] ?? fail(`bad object mode ${JSON.stringify(mode)}`);
    return () => apply(out);
  }

  private bytes(o: { [k: string]: any }): unknown {
    if (o.t === "ArrayBuffer") return this.register(base64ToBytes(o.v).buffer as ArrayBuffer);
    if (o.t === "Buffer") return this.register(toNodeBuffer(base64ToBytes(o.v)));
    const Ctor = Object.prototype.hasOwnProperty.call(TYPED_ARRAYS, o.t) ? TYPED_ARRAYS[o.t]! : fail(`bytes of unknown type ${JSON.stringify(o.t)}`);
    if (typeof o.v === "string") {
      // The format before views kept their buffer: the view's own bytes.
      const bytes = base64ToBytes(o.v);
      return this.register(o.t === "DataView" ? new DataView(bytes.buffer as ArrayBuffer) : new Ctor(bytes.buffer as ArrayBuffer, 0, bytes.byteLength / ((Ctor as any).BYTES_PER_ELEMENT ?? 1)));
    }
    const at = this.objs.length;
    this.register(PENDING);
    const buffer = this.node(o.b, undefined, 0);
    if (!(buffer instanceof ArrayBuffer)) fail("a view's buffer is not an ArrayBuffer");
    const view = new Ctor(buffer, o.o, o.n);
    this.objs[at] = view;
    return view;
  }

  private error(o: { [k: string]: any }): Error {
    const e = newError(o.k ?? o.name, o.message);
    if (e.name !== o.name) Object.defineProperty(e, "name", { value: o.name, writable: true, configurable: true, enumerable: false });
    if (o.stack === null) delete (e as any).stack;
    else Object.defineProperty(e, "stack", { value: o.stack, writable: true, configurable: true, enumerable: false });
    this.register(e);
    const extra: { [k: string]: unknown } = {};
    const hidden: { [k: string]: unknown } = {};
    this.finish(() => {
      // Own enumerable properties enumerable again (also `name` when it was one); cause, errors and the like hidden, as on built-in errors.
      for (const key of Object.keys(extra)) Object.defineProperty(e, key, { value: extra[key], writable: true, configurable: true, enumerable: true });
      for (const key of Object.keys(hidden)) Object.defineProperty(e, key, { value: hidden[key], writable: true, configurable: true, enumerable: false });
    });
    const children = this.sp;
    // Enumerable properties first, then the hidden fields: the encoder's order.
    this.fields(o.extra ?? {}, extra);
    if (o.hidden !== undefined) this.fields(o.hidden, hidden);
    this.inOrder(children);
    return e;
  }
}
