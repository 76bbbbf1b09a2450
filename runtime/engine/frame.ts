/**
 * The frame of a compiled machine: plain data, see docs/machine-contract.md.
 *
 * - `tasks`: the task table, keyed by TaskId. A task is pending (s = 0), ok (1)
 *   or failed (2, `v` the thrown value); `w` lists who reacts when it settles
 *   (a waiting branch, a combinator slot, or a branch adopting it as its result).
 *   `c` marks a combinator task (Promise.all/race/any/allSettled), `lock` a lock.
 * - `branches`: one per running activation of a compiled async function,
 *   keyed by the TaskId of its completion: the function key, the ids of its
 *   scope chain, its generator state, and the source line it waits at.
 * - `scopes`: the hoisted locals of every activation, keyed by scope id;
 *   closures reach outer locals through the chain of scope ids.
 * - `sagas`, `locks`: the recorded compensations and the held critical
 *   sections, absent while there are none (most orchestrations have neither:
 *   two objects less in every frame and every encode; `tableOf`, `dropEntry`).
 * - `rng`: the seeded generator state, absent until the first `ctx.random()` or
 *   `ctx.uuid()` (seeded from the instance id then, so it is the same as seeding
 *   it at init; most orchestrations never draw and carry nothing); `status`: the custom status;
 *   `outcome`: set once the orchestration ended.
 *
 * Invariant: everything here round-trips through runtime/codec.ts; ids come
 * from counters in the frame, so two runs of the same step agree on them.
 */
import type { EntityId, Outcome } from "../machine.ts";
import type { GenState } from "./generator.ts";

export type Waiter = [0, number] | [1, number, number] | [2, number];

export type CombinatorKind = "all" | "race" | "any" | "allSettled";

export interface TaskRec {
  s: 0 | 1 | 2;
  v?: unknown;
  w?: Waiter[];
  c?: { k: CombinatorKind; left: number; vals: unknown[] };
  lock?: EntityId[];
}

export interface BranchRec {
  fn: string;
  sc: number[];
  g: GenState;
  at?: number;
  /** Suspended outer activations while a delegated per-iteration loop body runs (innermost last). */
  d?: { fn: string; sc: number[]; g: GenState }[];
}

export interface SagaComp {
  name: string;
  input: unknown;
  retry?: unknown;
}

export interface FrameData {
  nwc: 1;
  input: unknown;
  root: number;
  started: boolean;
  next: number;
  nextScope: number;
  tasks: Record<string, TaskRec>;
  branches: Record<string, BranchRec>;
  scopes: Record<string, Record<string, unknown>>;
  sagas?: Record<string, SagaComp[]>;
  locks?: Record<string, EntityId[]>;
  rng?: number[];
  status?: unknown;
  outcome?: Outcome;
}

/** The frame's saga or lock table, made when its first entry is. */
export function tableOf<K extends "sagas" | "locks">(f: FrameData, name: K): NonNullable<FrameData[K]> {
  return (f[name] ??= {}) as NonNullable<FrameData[K]>;
}

/** Removes an entry of the saga or lock table, and the table with its last entry. */
export function dropEntry(f: FrameData, name: "sagas" | "locks", id: number | string): void {
  const table = f[name];
  if (table === undefined) return;
  delete table[id];
  for (const _ in table) return;
  delete f[name];
}

export function isFrameData(frame: unknown): frame is FrameData {
  const f = frame as FrameData;
  return typeof f === "object" && f !== null && f.nwc === 1 && typeof f.tasks === "object" && typeof f.branches === "object";
}

export function assertFrame(frame: unknown): asserts frame is FrameData {
  if (!isFrameData(frame)) {
    throw new TypeError("nwc engine: not a frame of a compiled machine (expected the object returned by init or step)");
  }
}
