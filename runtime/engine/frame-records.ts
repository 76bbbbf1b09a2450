/**
 * Tells the codec which objects of a frame are the engine's own records (see
 * frame.ts): the frame, its tables, task, waiter, combinator, branch,
 * generator, region, op, scope, saga and lock records. Only the engine and
 * compiled step functions touch them, with plain assignments (user code can
 * name none of them), so they never hold a getter, a symbol key or a special
 * attribute, and `encodeFrame` need not look for one (runtime/codec/registry.ts).
 * The user values they hold (locals, results, op values) are checked as usual.
 *
 * Invariant: only objects unreachable as user values are listed (a combinator's
 * `vals` only while pending: once settled, the array is the user's result).
 */
import { registerFrameRecords } from "../codec.ts";
import type { BranchRec, FrameData } from "./frame.ts";
import type { EntityId } from "../machine.ts";

function recordsOf(frame: unknown): Set<object> | undefined {
  const f = frame as FrameData;
  if (typeof f !== "object" || f === null || f.nwc !== 1 || typeof f.tasks !== "object" || typeof f.branches !== "object") return undefined;
  // Module-level helpers, no closures: this runs on every step's encode.
  const out = new Set<object>([f, f.tasks, f.branches, f.scopes, f.sagas, f.locks]);
  for (const id in f.tasks) {
    const t = f.tasks[id]!;
    out.add(t);
    if (t.w) {
      out.add(t.w);
      for (const w of t.w) out.add(w);
    }
    if (t.c) {
      out.add(t.c);
      out.add(t.c.vals);
    }
    if (t.lock) addIds(out, t.lock);
  }
  for (const id in f.branches) {
    const b = f.branches[id]!;
    addActivation(out, b);
    if (b.d) {
      out.add(b.d);
      for (const outer of b.d) addActivation(out, outer);
    }
  }
  for (const id in f.scopes) out.add(f.scopes[id]!);
  for (const id in f.sagas) {
    out.add(f.sagas[id]!);
    for (const comp of f.sagas[id]!) out.add(comp);
  }
  for (const id in f.locks) addIds(out, f.locks[id]!);
  if (f.rng) out.add(f.rng);
  return out;
}

function addIds(out: Set<object>, list: EntityId[]): void {
  out.add(list);
  for (const id of list) out.add(id);
}

function addActivation(out: Set<object>, a: Pick<BranchRec, "sc" | "g">): void {
  out.add(a);
  out.add(a.sc);
  out.add(a.g);
  out.add(a.g.trys);
  for (const region of a.g.trys) out.add(region);
  out.add(a.g.ops);
  for (const op of a.g.ops) out.add(op);
}

registerFrameRecords(recordsOf);
