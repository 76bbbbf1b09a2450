/**
 * Names where in a value the encoder failed, for its error message only: the
 * encoder keeps no path while it works (that would cost on every step), so on
 * failure this walks the partial encoding from the root to the container the
 * encoder was filling, naming each step as the user wrote it:
 * `frame.scopes["3"].order.items[3]`, `$.m<value 0>`.
 */
import type { Json } from "../backends/types.ts";

export function formatKey(key: string | number): string {
  if (typeof key === "number") return `[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

type Slot = string | number;

/** The path of slot `slot` of the encoded container `out` within the encoding `root`. */
export function pathOf(rootName: string, root: Json, spill: Json[], out: object, slot: Slot): string {
  const parents = new Map<object, [object | undefined, string]>();
  const pairs = new Map<object, number | "entries" | "items">(); // a Map entry's [key, value] pair -> entry index; a Map's or Set's list
  const stack: [Json, object | undefined, string][] = [[root, undefined, ""]];
  while (stack.length > 0) {
    const [node, parent, step] = stack.pop()!;
    if (node === null || typeof node !== "object" || parents.has(node)) continue;
    parents.set(node, [parent, step]);
    if (node === out) {
      let path = stepOf(node, slot, pairs);
      for (let at: object | undefined = node; at !== undefined; at = parents.get(at)![0]) path = parents.get(at)![1] + path;
      return rootName + path;
    }
    const o = node as { [k: string]: any };
    if (!Array.isArray(node) && o.$nwc === "map") {
      pairs.set(o.v, "entries");
      (o.v as object[]).forEach((pair, i) => pairs.set(pair, i));
    }
    if (!Array.isArray(node) && o.$nwc === "set") pairs.set(o.v, "items");
    for (const [child, childSlot] of slotsOf(node, spill)) stack.push([child, node, stepOf(node, childSlot, pairs)]);
  }
  return `${rootName} (somewhere inside)`;
}

/** The encoded children of one encoded node, by the slot each sits in. */
function slotsOf(node: object, spill: Json[]): [Json, Slot][] {
  if (Array.isArray(node)) return node.map((x, i) => [x, i]);
  const o = node as { [k: string]: any };
  switch (o.$nwc) {
    case undefined:
      return Object.keys(o).map((k) => [o[k], k]);
    case "object":
    case "class":
    case "host":
    case "map":
    case "set":
      return [[o.v, "v"]];
    case "array":
      return [[o.v, "v"], [o.p ?? null, "p"]];
    case "error":
      return [[o.extra, "extra"], [o.hidden ?? null, "hidden"]];
    case "bytes":
      return [[o.b ?? null, "b"]];
    case "at":
      return [[spill[o.i] ?? null, "at"]];
    default:
      return [];
  }
}

/** How a slot reads in the user's terms: a key, an index, a Map entry, or nothing for the codec's own wrappers. */
function stepOf(node: object, slot: Slot, pairs: Map<object, number | "entries" | "items">): string {
  const entry = pairs.get(node);
  if (entry === "entries") return "";
  if (entry === "items") return `<item ${slot}>`;
  if (entry !== undefined) return slot === 0 ? `<key ${entry}>` : `<value ${entry}>`;
  const tag = Array.isArray(node) ? undefined : (node as { $nwc?: unknown }).$nwc;
  if (tag === undefined) return formatKey(slot);
  if (tag === "bytes") return ".<buffer>";
  return "";
}
