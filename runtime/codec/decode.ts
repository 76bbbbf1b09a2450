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

/** Marks, in the `targets` stack, a finishing job run after a container's children (data is the job). */
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

class Decoder {
  private readonly objs: unknown[] = [];
  private readonly datas: unknown[] = [];
  private readonly targets: any[] = [];
  private readonly slots: (string | number)[] = [];
  /** Deep containers stored out of line by the encoder (SPILL_DEPTH in encode.ts). */
  private spill: Json[] = [];

  run(data: Json): unknown {
    const holder: unknown[] = [undefined];
    const graph = data as { $nwc?: unknown; v?: Json; s?: Json[] };
    if (!Array.isArray(data) && graph.$nwc === "graph") {
      if (!Array.isArray(graph.s)) fail("bad graph");
      this.spill = graph.s;
      this.push(graph.v ?? null, holder, 0);
    } else this.push(data, holder, 0);
    while (this.datas.length > 0) {
      const d = this.datas.pop();
      const target = this.targets.pop();
      const slot = this.slots.pop()!;
      if (target === EXIT) (d as () => void)();
      else put(target, slot, this.node(d as Json, target, slot));
    }
    return holder[0];
  }

  private push(d: unknown, target: any, slot: string | number): void {
    this.datas.push(d);
    this.targets.push(target);
    this.slots.push(slot);
  }

  /** A job to run once the children queued after it are done. */
  private finish(job: () => void): void {
    this.push(job, EXIT, 0);
  }

  private child(d: Json, target: any, slot: string | number): void {
    if (d !== null && typeof d === "object") {
      put(target, slot, undefined); // keeps the key order; the value comes when the child is decoded
      this.push(d, target, slot);
    } else put(target, slot, d);
  }

  private reverseFrom(start: number): void {
    for (const stack of [this.datas, this.targets, this.slots] as unknown[][]) {
      for (let i = start, j = stack.length - 1; i < j; i++, j--) {
        const t = stack[i];
        stack[i] = stack[j];
        stack[j] = t;
      }
    }
  }

  private register<T>(v: T): T {
    this.objs.push(v);
    return v;
  }

  private fields(from: Json, into: object): void {
    if (from === null || typeof from !== "object" || Array.isArray(from)) fail("expected an object of fields");
    const start = this.datas.length;
    for (const key of Object.keys(from)) this.child(from[key]!, into, key);
    this.reverseFrom(start);
  }

  private items(from: Json, into: unknown[]): void {
    if (!Array.isArray(from)) fail("expected an array");
    const start = this.datas.length;
    for (let i = 0; i < from.length; i++) this.child(from[i]!, into, i);
    this.reverseFrom(start);
  }

  private node(d: Json, target: any, slot: string | number): unknown {
    if (Array.isArray(d)) {
      const out = this.register([] as unknown[]);
      this.items(d, out);
      return out;
    }
    const o = d as { [k: string]: any };
    const tag = o.$nwc;
    if (tag === undefined) {
      const out = this.register({});
      this.fields(o, out);
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
        this.fields(o.v, out);
        return out;
      }
      case "array": {
        const out = this.register([] as unknown[]);
        if (o.x !== undefined) this.finish(this.modeJob(out, o.x));
        // Elements first, then the extra properties: the encoder's order (the stack pops the last pushed first).
        if (o.p !== undefined) this.fields(o.p, out);
        this.items(o.v, out);
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
        const start = this.datas.length;
        (o.v as Json[]).forEach((pair, i) => {
          if (!Array.isArray(pair) || pair.length !== 2) fail("bad map entry");
          this.child(pair[0]!, flat, 2 * i);
          this.child(pair[1]!, flat, 2 * i + 1);
        });
        this.reverseFrom(start);
        return m;
      }
      case "set": {
        const s = this.register(new Set());
        const items: unknown[] = [];
        this.finish(() => items.forEach((x) => s.add(x)));
        this.items(o.v, items);
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
    // Hidden pushed first so that extra is decoded first: the encoder's order.
    if (o.hidden !== undefined) this.fields(o.hidden, hidden);
    this.fields(o.extra ?? {}, extra);
    return e;
  }
}
