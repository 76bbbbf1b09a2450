/**
 * Builds a machine's upgrade manifest (runtime/machine.ts UpgradeManifest)
 * from its step-function definitions and the source functions they came from:
 * a stable key per step function and per await point, the try regions around
 * each await, and the locals live there with their types.
 *
 * Function keys: the orchestration's name, then per nested async closure its
 * name (the variable it is assigned to, else `closure`, `then`, `loop`...)
 * and an ordinal among its siblings of that name: `order/charge#0`.
 *
 * Await keys: await-keys.ts, plus `#k`, the ordinal among equal keys in
 * source order. An await the source does not show (the disposal at the end
 * of an `await using` scope, the await inside a `.then` callback) is keyed
 * by the lowered expression it waits for.
 *
 * Invariant: equal keys in two builds mean the same function or the same
 * await in the same structure, waiting for the same expression text.
 */
import ts from "typescript";
import type { UpgradeAwait, UpgradeFunction, UpgradeManifest } from "../../runtime/machine.ts";
import { LocalTypes, sourceAwaits, TEMPORARY, typeOfLocal, type SourceAwait } from "./await-keys.ts";
import { loweredFunctions } from "./lowered-awaits.ts";

export interface ManifestInput {
  moduleHash: string;
  /** The orchestration's name: the root function's key. */
  name: string;
  rootIndex: number;
  /** The machine's step functions (root and nested closures), text without line markers. */
  functions: { index: number; name: string; parent?: number; text: string }[];
  /** The source function of each step function, where there is one. */
  sources: Map<number, ts.Node | undefined>;
  checker: ts.TypeChecker;
}

/** The scope type of a local no function of the chain declares (a per-iteration scope of a sync loop body). */
const UNKNOWN_SCOPE = "(per-iteration scope)";

export function buildUpgradeManifest(input: ManifestInput): UpgradeManifest {
  const byIndex = new Map(input.functions.map((f) => [f.index, f]));
  const lowered = loweredFunctions(input.functions);
  const keys = functionKeys(input);
  const types = new Map<number, { get(name: string): string | undefined }>();
  const typesOf = (index: number) => {
    let t = types.get(index);
    if (!t) {
      const node = input.sources.get(index);
      t = node ? new LocalTypes(node, input.checker) : new Map<string, string>();
      types.set(index, t);
    }
    return t;
  };
  /** The function of `index`'s chain whose scope is at `depth`. */
  const atDepth = (index: number, depth: number): number | undefined => {
    for (let cur: number | undefined = index; cur !== undefined; cur = byIndex.get(cur)?.parent) {
      if (lowered.get(cur)?.depth === depth) return cur;
    }
    return undefined;
  };

  const functions: UpgradeFunction[] = [];
  const awaits: UpgradeAwait[] = [];
  for (const f of [...input.functions].sort((a, b) => a.index - b.index)) {
    const low = lowered.get(f.index)!;
    const key = keys.get(f.index)!;
    const params = low.params.map((name) => ({ name, depth: low.depth, type: typeOfLocal(typesOf(f.index), name) }));
    functions.push({ index: f.index, key, depth: low.depth, locals: low.locals, params });
    const node = input.sources.get(f.index);
    const fromSource = node ? sourceAwaits(node, key) : [];
    const byLine = new Map<number, SourceAwait[]>();
    for (const a of fromSource) (byLine.get(a.line) ?? byLine.set(a.line, []).get(a.line)!).push(a);
    const seen = new Map<string, number>();
    for (const a of low.awaits) {
      const hidden = a.text.startsWith("__nwc_rt.dispose(");
      const source = hidden ? undefined : byLine.get(a.line)?.shift();
      // A lowered expression names closures by index (`__nwc_fns[4]`), which another build renumbers: by key instead.
      const lowered = a.text.replace(/__nwc_L\d+\./g, "").replace(/__nwc_fns\[(\d+)\]/g, (_, n: string) => keys.get(Number(n)) ?? "?");
      const base = source ? source.key : `${key} | lowered ${lowered}`;
      const k = seen.get(base) ?? 0;
      seen.set(base, k + 1);
      awaits.push({
        fn: f.index,
        resume: a.resume,
        key: `${base} #${k}`,
        line: a.line,
        regions: a.regions,
        live: a.live.map((r) => {
          const owner = atDepth(f.index, r.depth);
          return { name: r.name, depth: r.depth, type: owner === undefined ? UNKNOWN_SCOPE : typeOfLocal(typesOf(owner), r.name) };
        }),
        statement: source?.statement ?? "",
        partial: a.partial.filter((r) => typeOfLocal(typesOf(atDepth(f.index, r.depth) ?? f.index), r.name) === TEMPORARY).map((r) => r.name),
      });
    }
  }
  return { module: input.moduleHash, functions, awaits };
}

function functionKeys(input: ManifestInput): Map<number, string> {
  const keys = new Map<number, string>();
  const ordinals = new Map<string, number>();
  for (const f of [...input.functions].sort((a, b) => a.index - b.index)) {
    if (f.index === input.rootIndex) {
      keys.set(f.index, input.name);
      continue;
    }
    const parentKey = (f.parent !== undefined && keys.get(f.parent)) || input.name;
    const own = f.name.slice(f.name.lastIndexOf("/") + 1).replace(/@\d+$/, "");
    const base = `${parentKey}/${own}`;
    const k = ordinals.get(base) ?? 0;
    ordinals.set(base, k + 1);
    keys.set(f.index, `${base}#${k}`);
  }
  return keys;
}
