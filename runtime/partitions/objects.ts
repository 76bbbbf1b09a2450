/**
 * The partition's object table: every state object by key (instances,
 * entities, dedup, outboxes, timers, activities), with two dirty sets and an
 * LRU cache for instances and entities.
 *
 * - `dirtyForCommit`: changed in the current batch; their values go into the
 *   batch's commit record (redo records).
 * - `unflushed`: changed since the last completed checkpoint; the next
 *   checkpoint writes them (incremental checkpoints).
 * - Only instances and entities (`inst:`, `ent:`) are evictable, and only
 *   when not unflushed: an evicted object is exactly what `store.readObject`
 *   returns, so loading it back on demand gives the same state.
 *
 * Invariant: `get` is only called on keys loaded in this batch (asserted);
 * handlers never await, so a batch applies atomically in memory.
 */
import type { Json, ObjectUpdate, PartitionStore } from "../backends/types.ts";
import { ENTITY_PREFIX } from "./state/entity.ts";
import { INSTANCE_PREFIX } from "./state/instance.ts";

const ABSENT = Symbol("absent");

export class ObjectTable {
  private readonly values = new Map<string, unknown>();
  readonly dirtyForCommit = new Set<string>();
  readonly unflushed = new Set<string>();
  /** Keys whose checkpoint write is in flight: not evictable until it completes. */
  private readonly flushing = new Set<string>();
  cacheLoads = 0;

  constructor(
    private readonly store: PartitionStore,
    private readonly partition: number,
    /** Instances and entities kept in memory at most (clean ones beyond it are evicted). */
    private readonly cacheSize: number,
  ) {
    if (!(cacheSize >= 1)) throw new Error(`instance cache size must be >= 1, got ${cacheSize}`);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  /** Loads the keys not in memory from the store (objects absent there are remembered as absent). */
  async load(keys: Iterable<string>): Promise<void> {
    const missing = [...new Set(keys)].filter((k) => !this.values.has(k));
    if (missing.length === 0) return;
    const loaded = await Promise.all(missing.map((k) => this.store.readObject(this.partition, k)));
    for (let i = 0; i < missing.length; i++) {
      // A concurrent load or a batch may have set it meanwhile; memory wins (it is newer).
      if (!this.values.has(missing[i])) this.values.set(missing[i], loaded[i] === undefined ? ABSENT : loaded[i]);
    }
    this.cacheLoads += missing.length;
  }

  get<T>(key: string): T | undefined {
    if (!this.values.has(key)) {
      // Pinned kinds (dedup, outboxes, timers, activities) are all in memory: missing means absent.
      if (!isCacheable(key)) return undefined;
      throw new Error(`object ${key} was used without being loaded first (a handler's keys() is missing it)`);
    }
    const v = this.values.get(key);
    if (isCacheable(key)) {
      // Refresh LRU order: Map iteration order is insertion order.
      this.values.delete(key);
      this.values.set(key, v);
    }
    return v === ABSENT ? undefined : (v as T);
  }

  set(key: string, value: unknown): void {
    if (value === undefined) throw new Error(`object ${key}: use delete() rather than storing undefined`);
    this.values.delete(key);
    this.values.set(key, value);
    this.dirtyForCommit.add(key);
    this.unflushed.add(key);
  }

  /** Marks a mutated-in-place object as changed. */
  touch(key: string): void {
    if (!this.values.has(key) || this.values.get(key) === ABSENT) throw new Error(`object ${key}: touch of an absent object`);
    this.dirtyForCommit.add(key);
    this.unflushed.add(key);
  }

  delete(key: string): void {
    this.values.set(key, ABSENT);
    this.dirtyForCommit.add(key);
    this.unflushed.add(key);
  }

  /** Applies a redo record during recovery. */
  applyUpdate(update: ObjectUpdate): void {
    this.values.set(update.key, update.value === null ? ABSENT : update.value);
    this.unflushed.add(update.key);
  }

  /** Snapshot of the given keys as updates (deep copies: the next batch may mutate the live objects). */
  snapshot(keys: Iterable<string>): ObjectUpdate[] {
    const out: ObjectUpdate[] = [];
    for (const key of keys) {
      const v = this.values.get(key);
      out.push({ key, value: v === ABSENT || v === undefined ? null : (structuredClone(v) as Json) });
    }
    return out;
  }

  takeCommitUpdates(): ObjectUpdate[] {
    const updates = this.snapshot(this.dirtyForCommit);
    this.dirtyForCommit.clear();
    return updates;
  }

  /** Starts a checkpoint: the unflushed objects' current values; `flushed()` once written. */
  beginCheckpoint(): { updates: ObjectUpdate[]; keys: string[] } {
    const keys = [...this.unflushed];
    this.unflushed.clear();
    for (const k of keys) this.flushing.add(k);
    return { updates: this.snapshot(keys), keys };
  }

  flushed(keys: readonly string[]): void {
    for (const k of keys) this.flushing.delete(k);
  }

  /** Keys in memory with a prefix (pinned kinds: timers, activities, outboxes). */
  keysWithPrefix(prefix: string): string[] {
    const out: string[] = [];
    for (const [k, v] of this.values) if (k.startsWith(prefix) && v !== ABSENT) out.push(k);
    return out;
  }

  get cachedCount(): number {
    let n = 0;
    for (const k of this.values.keys()) if (isCacheable(k)) n++;
    return n;
  }

  /** Evicts least recently used clean instances and entities beyond the cache size; returns how many. */
  evict(): number {
    let over = this.cachedCount - this.cacheSize;
    let evicted = 0;
    if (over <= 0) return 0;
    for (const k of this.values.keys()) {
      if (over <= 0) break;
      if (!isCacheable(k) || this.unflushed.has(k) || this.flushing.has(k) || this.dirtyForCommit.has(k)) continue;
      this.values.delete(k);
      over--;
      evicted++;
    }
    return evicted;
  }
}

function isCacheable(key: string): boolean {
  return key.startsWith(INSTANCE_PREFIX) || key.startsWith(ENTITY_PREFIX);
}
