/**
 * What the codec can be taught: classes (`registerClass`, for user and engine
 * value classes) and host values (`registerHostValue`, for functions and
 * built-in objects only a frame may hold: compiled closures, `Math.max`).
 *
 * Invariant: a name maps to one constructor for the life of the process;
 * stored data names its codec, so renaming one breaks stored frames.
 */
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

/**
 * A function or built-in object a frame may hold. `encode` returns undefined
 * for values that are not its own. Consulted only by `encodeFrame`, and only
 * for values the codec would otherwise refuse, so it costs nothing on data.
 */
export interface HostCodec {
  name: string;
  encode(value: unknown): unknown | undefined;
  decode(data: any): unknown;
}

export const classesByName = new Map<string, ClassCodec<any>>();
/**
 * Names of the class and host codecs whose decode gives a value that can stand in for the
 * encoded one (an immutable engine value, a singleton, a built-in): see `roundTripsExactly`
 * in encode.ts. A user's codec is never listed: its decode may build something else.
 */
export const exactCodecs = new Set<string>();

/** Declares that decoding what codec `name` encoded gives a value interchangeable with the original (engine codecs only). */
export function declareExactCodec(name: string): void {
  exactCodecs.add(name);
}
export const classesByCtor = new Map<Function, ClassCodec<any>>();
export const hostCodecs: HostCodec[] = [];
export const hostByName = new Map<string, HostCodec>();

export function addClass<T>(codec: ClassCodec<T>): void {
  const existing = classesByName.get(codec.name);
  if (existing && existing.ctor !== codec.ctor) {
    throw new CodecError(`codec: class name "${codec.name}" is already registered for another class`);
  }
  classesByName.set(codec.name, codec);
  classesByCtor.set(codec.ctor, codec);
}

/** Lets frames (not payloads) hold the values `codec.encode` claims. */
export function registerHostValue(codec: HostCodec): void {
  if (hostByName.has(codec.name)) throw new CodecError(`codec: host value codec "${codec.name}" is already registered`);
  hostByName.set(codec.name, codec);
  hostCodecs.push(codec);
}

/**
 * Where a frame keeps the records only the engine builds and changes, with
 * plain assignments (task, branch and scope records...): `encodeFrame` skips
 * the checks for getters, symbol keys and property attributes on them, which
 * are most of an encode's cost, and does not remember them for references
 * (a record is never shared). A shape describes a record: which of its own
 * properties (`fields`, by name) or all of them (`each`: a table keyed by
 * ids, or the items of an array record) are records in turn, and of which
 * shape; whatever else it holds is a user value, checked as usual.
 */
export interface RecordShape {
  fields?: { readonly [key: string]: RecordShape };
  each?: RecordShape;
}

/** Set once, by the engine (engine/frame-records.ts): the root shape, for values `isFrame` accepts. */
export let frameShape: { isFrame: (value: unknown) => boolean; root: RecordShape } | undefined;

export function registerFrameShape(isFrame: (value: unknown) => boolean, root: RecordShape): void {
  frameShape = { isFrame, root };
}
