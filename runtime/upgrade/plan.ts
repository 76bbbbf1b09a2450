/**
 * Carries a waiting instance's frame from one version of a machine to
 * another, or says why it cannot (docs/runtime.md "Upgrading instances").
 *
 * Every branch of the frame must wait at an await point both versions have
 * (same key: runtime/machine.ts UpgradeAwait), in a function both have (same
 * function key, same scope depth). Every local the new code may read after
 * that await before writing it must be carried by the old frame: live at the
 * old await too, under the same name, at the same scope depth, with the same
 * printed type (or one the new type's union lists). Every local live at the
 * old await must still exist in the new function. Then the frame is
 * translated: each branch gets the new function, resume label, try regions
 * and line; the pending completions of finally blocks jump to the new labels;
 * locals stay by name; tasks, branches' ids, scopes and everything else stay.
 *
 * Invariant: pure (no I/O, no clock); the frame given is not changed (the
 * translation copies the records it changes and shares the user values); a
 * refusal names the first thing that fails, in words an author can act on.
 */
import type { Machine, UpgradeAwait, UpgradeFunction, UpgradeLocal, UpgradeManifest } from "../machine.ts";
import type { BranchRec, FrameData } from "../engine/frame.ts";
import type { Op } from "../engine/generator.ts";
import { closureTag, makeClosure } from "../engine/rt.ts";

export interface AwaitMove {
  /** The await key (without its ordinal), for reports. */
  await: string;
  fromLine: number;
  toLine: number;
}

export type UpgradePlan =
  | { ok: true; frame: FrameData; moves: AwaitMove[] }
  | { ok: false; reason: string };

const BUILTIN_PREFIX = "nwc:";

class Refused extends Error {}

function refuse(reason: string): never {
  throw new Refused(reason);
}

/** Plans the upgrade of `frame` (a decoded frame of `from`) to `to`. */
export function planUpgrade(from: Machine, to: Machine, frame: unknown): UpgradePlan {
  if (from.name !== to.name) throw new TypeError(`planUpgrade: machines of two orchestrations ("${from.name}", "${to.name}")`);
  try {
    return { ok: true, ...translate(from, to, frame) };
  } catch (e) {
    if (e instanceof Refused) return { ok: false, reason: e.message };
    throw e;
  }
}

function translate(from: Machine, to: Machine, frame: unknown): { frame: FrameData; moves: AwaitMove[] } {
  const f = frame as FrameData;
  if (typeof f !== "object" || f === null || f.nwc !== 1 || typeof f.branches !== "object") refuse("its state is not a frame of a compiled machine");
  if (f.outcome) refuse("instance is not waiting at an await point (it has ended)");
  const old = from.upgrade ?? refuse(`version ${from.version} was built without an upgrade manifest; an upgrade needs both versions built by this nwc`);
  const neu = to.upgrade ?? refuse(`version ${to.version} was built without an upgrade manifest; rebuild it with this nwc`);
  if (!f.started) return { frame: f, moves: [] };

  const branches: Record<string, BranchRec> = {};
  const moves: AwaitMove[] = [];
  /** Scope id -> the new function owning it, from the chains of the branches. */
  const owners = new Map<number, UpgradeFunction>();
  for (const [id, b] of Object.entries(f.branches)) {
    if (b.fn.startsWith(BUILTIN_PREFIX)) {
      branches[id] = b;
      continue;
    }
    if (b.d && b.d.length > 0) refuse("instance waits inside a loop whose per-iteration bindings async closures capture; upgrade does not carry these");
    const oldFn = functionOf(old, b.fn);
    const newFn = neu.functions.find((x) => x.key === oldFn.key) ?? refuse(`async function ${describeFn(oldFn.key)} was removed`);
    if (newFn.depth !== oldFn.depth || b.sc.length !== oldFn.depth + 1) refuse(`async function ${describeFn(oldFn.key)} moved to another nesting`);
    const { g, at } = moveBranch(b, oldFn, newFn, old, neu, moves);
    branches[id] = { fn: `${neu.module}#${newFn.index}`, sc: b.sc, g, ...(at !== undefined ? { at } : {}) };
    for (let depth = 0; depth < b.sc.length; depth++) {
      const owner = atDepth(neu, newFn, depth);
      const prev = owners.get(b.sc[depth]!);
      if (prev && owner && prev.key !== owner.key) refuse("two branches disagree about a shared scope (frame corrupt?)");
      if (owner) owners.set(b.sc[depth]!, owner);
    }
  }
  const scopes: FrameData["scopes"] = {};
  for (const [id, scope] of Object.entries(f.scopes)) scopes[id] = carryClosures(scope, old, neu);
  return { frame: { ...f, branches, scopes }, moves };
}

function functionOf(m: UpgradeManifest, key: string): UpgradeFunction {
  const hash = key.slice(0, key.indexOf("#"));
  const index = Number(key.slice(key.indexOf("#") + 1));
  const fn = hash === m.module ? m.functions.find((x) => x.index === index) : undefined;
  // A compiled ctx helper is a step function of its own module (or of this one) that no machine owns.
  return fn ?? refuse(`instance waits in a function outside the orchestration's own code (a ctx helper, ${key}); upgrade does not carry these`);
}

function describeFn(key: string): string {
  return `\`${key}\``;
}

/** The function of `fn`'s scope chain at `depth` (fn itself, or the closure it is nested in). */
function atDepth(m: UpgradeManifest, fn: UpgradeFunction, depth: number): UpgradeFunction | undefined {
  if (fn.depth === depth) return fn;
  // Function keys nest: `o/closure#0/inner#1` is inside `o/closure#0`.
  let key = fn.key;
  for (;;) {
    const cut = key.lastIndexOf("/");
    if (cut < 0) return undefined;
    key = key.slice(0, cut);
    const outer = m.functions.find((x) => x.key === key);
    if (outer?.depth === depth) return outer;
  }
}

/** `await ctx.call(charge, n)`: the awaited text of a key. */
function awaitText(a: UpgradeAwait): string {
  return a.key.slice(a.key.lastIndexOf(" | ") + 3).replace(/ #\d+$/, "");
}

function moveBranch(b: BranchRec, oldFn: UpgradeFunction, newFn: UpgradeFunction, old: UpgradeManifest, neu: UpgradeManifest, moves: AwaitMove[]): { g: BranchRec["g"]; at?: number } {
  if (b.g.label === 0 && !b.g.trys?.length && !b.g.ops?.length) return { g: { label: 0 }, at: b.at };
  const was = old.awaits.find((a) => a.fn === oldFn.index && a.resume === b.g.label) ??
    refuse(`instance is not waiting at an await point (a branch of ${describeFn(oldFn.key)} is at state ${b.g.label})`);
  const now = neu.awaits.find((a) => a.key === was.key);
  if (!now || now.fn !== newFn.index) refuse(`await at line ${was.line} removed (no \`${awaitText(was)}\` in the same loop, try and branch structure)`);
  if (!sameRegions(b.g.trys ?? [], was.regions)) refuse(`the frame's try regions do not match version's await at line ${was.line} (frame corrupt?)`);
  if ((was.partial.length > 0 || now.partial.length > 0) && was.statement !== now.statement) {
    refuse(`the statement around the await at line ${was.line} changed, and the instance holds the part of it evaluated before the await (\`${was.statement}\`)`);
  }
  checkLocals(was, now, old, neu, oldFn, newFn);
  const ops = (b.g.ops ?? []).map((op) => moveOp(op, was, now));
  if (was.line !== now.line) moves.push({ await: was.key.replace(/ #\d+$/, ""), fromLine: was.line, toLine: now.line });
  const g: BranchRec["g"] = { label: now.resume };
  if (now.regions.length > 0) g.trys = now.regions.map((r) => r.slice() as number[]);
  if (ops.length > 0) g.ops = ops;
  return { g, at: now.line };
}

function sameRegions(trys: readonly (readonly (number | null | undefined)[])[], regions: readonly (readonly (number | null)[])[]): boolean {
  if (trys.length !== regions.length) return false;
  return trys.every((t, i) => [0, 1, 2, 3].every((k) => (t[k] ?? null) === (regions[i]![k] ?? null)));
}

/** A completion a finally block carries: a jump names a label of the old code, which must be a region's end. */
function moveOp(op: Op, was: UpgradeAwait, now: UpgradeAwait): Op {
  if (op[0] !== 3) return op;
  const at = was.regions.findIndex((r) => r[3] === op[1]);
  if (at < 0) refuse(`instance is in a finally block that will jump to a label of the old code (line ${was.line}); upgrade does not carry it`);
  return [3, now.regions[at]![3]];
}

function checkLocals(was: UpgradeAwait, now: UpgradeAwait, old: UpgradeManifest, neu: UpgradeManifest, oldFn: UpgradeFunction, newFn: UpgradeFunction): void {
  const key = (l: UpgradeLocal) => `${l.depth}:${l.name}`;
  const carried = new Map(was.live.map((l) => [key(l), l]));
  // Parameters hold a value from the start of their function on: carried at any await in it.
  for (let depth = 0; depth <= oldFn.depth; depth++) {
    for (const p of atDepth(old, oldFn, depth)?.params ?? []) if (!carried.has(key(p))) carried.set(key(p), p);
  }
  for (const l of now.live) {
    const before = carried.get(key(l));
    if (!before) refuse(`local \`${l.name}\` is read after the await at line ${now.line} in the new version, but the old version does not keep it there`);
    if (!assignable(before.type, l.type)) refuse(`local \`${l.name}\` changed type from ${before.type} to ${l.type}`);
  }
  const stillLive = new Set(now.live.map(key));
  for (const l of was.live) {
    if (stillLive.has(key(l))) continue;
    const owner = atDepth(neu, newFn, l.depth);
    if (!owner || !owner.locals.includes(l.name)) refuse(`local \`${l.name}\` no longer exists at the await at line ${now.line}`);
  }
}

/** Same printed type, or every member of the old union is a member of the new one. */
export function assignable(from: string, to: string): boolean {
  if (from === to) return true;
  const members = new Set(unionMembers(to));
  return unionMembers(from).every((m) => members.has(m));
}

function unionMembers(type: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < type.length; i++) {
    const c = type[i];
    if (c === "(" || c === "<" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === ">" || c === "]" || c === "}") depth--;
    else if (depth === 0 && type.startsWith(" | ", i)) {
      out.push(type.slice(start, i));
      start = i + 3;
      i += 2;
    }
  }
  out.push(type.slice(start));
  return out.map((s) => s.trim());
}

/** Compiled async closures held by locals name a step function of the old code: point them at the new one. */
function carryClosures(scope: Record<string, unknown>, old: UpgradeManifest, neu: UpgradeManifest): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries(scope)) {
    const tag = closureTag(value);
    if (!tag) {
      if (holdsClosure(value, new Set())) refuse(`local \`${name}\` holds an async closure inside a value; upgrade does not carry it`);
      continue;
    }
    if (tag.key.startsWith(BUILTIN_PREFIX)) continue;
    const oldFn = functionOf(old, tag.key);
    const newFn = neu.functions.find((x) => x.key === oldFn.key) ?? refuse(`local \`${name}\` holds async function ${describeFn(oldFn.key)}, which was removed`);
    out ??= { ...scope };
    out[name] = makeClosure(`${neu.module}#${newFn.index}`, tag.chain);
  }
  return out ?? scope;
}

/** Is a compiled closure reachable from `root` through arrays, maps, sets and plain objects? Iterative: values may nest deeply (a long linked list). */
function holdsClosure(root: unknown, seen: Set<unknown>): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === "function") {
      if (closureTag(value) !== undefined) return true;
      continue;
    }
    if (typeof value !== "object" || value === null || seen.has(value)) continue;
    seen.add(value);
    if (Array.isArray(value)) stack.push(...value);
    else if (value instanceof Map) for (const v of value.values()) stack.push(v);
    else if (value instanceof Set) for (const v of value) stack.push(v);
    else {
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) for (const v of Object.values(value)) stack.push(v);
    }
  }
  return false;
}
