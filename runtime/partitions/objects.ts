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
 * - Objects under IMMUTABLE_PREFIXES (activities, timers, outbox entries,
 *   run and suspension markers) are replaced, never changed in place (`touch`
 *   on them throws): commit records and checkpoints share them instead of
 *   copying. Everything else is deep-copied into the record, since the next
 *   batch may mutate it while the append is in flight.
 * - History steps (`hist:`, state/history.ts) are written and deleted but
 *   never read by the partition, so they skip the table: `writeHistory`
 *   queues the update for the batch's commit record and for the next
 *   checkpoint, in order, with no map entry or dirty-set entry per step
 *   (a step is one small update, written twice, then dropped from memory).
 *
 * Invariant: `get` is only called on keys loaded in this batch (asserted);
 * handlers never await, so a batch applies atomically in memory.
 */
import type { Json, ObjectUpdate, PartitionStore } from "../backends/types.ts";
import { DecodedFrames } from "./decoded-frames.ts";
import { cloneJson } from "./json.ts";
import { RUN_STEP_PREFIX, SUSPENDED_PREFIX } from "./markers.ts";
import { ACTIVITY_PREFIX } from "./state/activities.ts";
import { OUT_ENTRY_PREFIX } from "./state/outbox.ts";
import { TIMER_PREFIX } from "./state/timers.ts";
import { ENTITY_PREFIX } from "./state/entity.ts";
import { isHistoryKey } from "./state/history.ts";
import { INSTANCE_PREFIX, instanceForCommit, type InstanceRecord } from "./state/instance.ts";

const ABSENT = Symbol("absent");

/** Kinds whose objects are written once and then only deleted or replaced whole (see the header). */
const IMMUTABLE_PREFIXES = [ACTIVITY_PREFIX, TIMER_PREFIX, OUT_ENTRY_PREFIX, RUN_STEP_PREFIX, SUSPENDED_PREFIX];

/** Keys the partition writes but never reads (history steps): they go through writeHistory, not the table. */
const isWriteOnly = isHistoryKey;

for (const p of IMMUTABLE_PREFIXES) {
  if ("ied".includes(p[0]!)) throw new Error(`write-once prefix ${p} starts like inst:/ent:/dedup; isImmutable() would miss it`);
}

function isImmutable(key: string): boolean {
  // Instance keys are the most frequent: rule them out with one character compare.
  const c = key.charCodeAt(0);
  if (c === 105 /* i */ || c === 101 /* e */ || c === 100 /* d */) return false;
  for (const p of IMMUTABLE_PREFIXES) if (key.startsWith(p)) return true;
  return false;
}

export class ObjectTable {
  /** Instances and entities, in LRU order (Map iteration order is insertion order). */
  private readonly cache = new Map<string, unknown>();
  /** Everything else; a deleted pinned object is simply absent (all of them are in memory). */
  private readonly pinned = new Map<string, unknown>();
  readonly dirtyForCommit = new Set<string>();
  readonly unflushed = new Set<string>();
  /** Keys whose checkpoint write is in flight: not evictable until it completes. */
  private readonly flushing = new Set<string>();
  /** History updates of the current batch, in order (for its commit record). */
  private historyForCommit: ObjectUpdate[] = [];
  /** History updates since the last checkpoint began, in order (for the next one). */
  private historyUnflushed: ObjectUpdate[] = [];
  cacheLoads = 0;
  /** Decoded frames of cached instances (decoded-frames.ts): dropped with their instance. */
  readonly decodedFrames = new DecodedFrames();

  constructor(
    private readonly store: PartitionStore,
    private readonly partition: number,
    /** Instances and entities kept in memory at most (clean ones beyond it are evicted). */
    private readonly cacheSize: number,
  ) {
    if (!(cacheSize >= 1)) throw new Error(`instance cache size must be >= 1, got ${cacheSize}`);
  }

  private mapOf(key: string): Map<string, unknown> {
    return isCacheable(key) ? this.cache : this.pinned;
  }

  has(key: string): boolean {
    return this.mapOf(key).has(key);
  }

  /**
   * Loads the keys not in memory from the store (objects absent there are
   * remembered as absent), and marks the cached ones as just used: a batch
   * reads only the keys it loaded, so this is where LRU order is kept (once
   * per key and batch, rather than on every `get`: reordering a Map of
   * cacheSize entries is a delete and an insert).
   */
  async load(keys: Iterable<string>): Promise<void> {
    const missing: string[] = [];
    for (const k of new Set(keys)) {
      if (!isCacheable(k)) {
        if (!this.pinned.has(k)) missing.push(k);
        continue;
      }
      const v = this.cache.get(k);
      if (v === undefined) {
        missing.push(k);
        continue;
      }
      this.cache.delete(k);
      this.cache.set(k, v);
    }
    if (missing.length === 0) return;
    const loaded = await Promise.all(missing.map((k) => this.store.readObject(this.partition, k)));
    for (let i = 0; i < missing.length; i++) {
      // A concurrent load or a batch may have set it meanwhile; memory wins (it is newer).
      if (!this.has(missing[i]) && (loaded[i] !== undefined || isCacheable(missing[i]))) this.mapOf(missing[i]).set(missing[i], loaded[i] === undefined ? ABSENT : loaded[i]);
    }
    this.cacheLoads += missing.length;
  }

  get<T>(key: string): T | undefined {
    // Pinned kinds (dedup, outboxes, timers, activities, run markers) are all in memory: missing means absent.
    if (!isCacheable(key)) return this.pinned.get(key) as T | undefined;
    const v = this.cache.get(key);
    if (v === undefined) throw new Error(`object ${key} was used without being loaded first (a handler's keys() is missing it)`);
    return v === ABSENT ? undefined : (v as T);
  }

  set(key: string, value: unknown): void {
    if (value === undefined) throw new Error(`object ${key}: use delete() rather than storing undefined`);
    if (isWriteOnly(key)) throw new Error(`object ${key} is write-only: use writeHistory()`);
    if (isCacheable(key)) {
      this.decodedFrames.drop(this.cache.get(key));
      // Newest in LRU order.
      this.cache.delete(key);
      this.cache.set(key, value);
    } else this.pinned.set(key, value);
    this.dirtyForCommit.add(key);
    this.unflushed.add(key);
  }

  /** Marks a mutated-in-place object as changed. */
  touch(key: string): void {
    const v = this.mapOf(key).get(key);
    if (v === undefined || v === ABSENT) throw new Error(`object ${key}: touch of an absent object`);
    if (isImmutable(key)) throw new Error(`object ${key} is never changed in place (commits share it): set() a new value instead`);
    this.dirtyForCommit.add(key);
    this.unflushed.add(key);
  }

  delete(key: string): void {
    if (isWriteOnly(key)) throw new Error(`object ${key} is write-only: use writeHistory()`);
    if (isCacheable(key)) {
      this.decodedFrames.drop(this.cache.get(key));
      this.cache.set(key, ABSENT);
    } else this.pinned.delete(key);
    this.dirtyForCommit.add(key);
    this.unflushed.add(key);
  }

  /**
   * Writes (a JSON text) or deletes (null) a history step: in the batch's
   * commit record and the next checkpoint, in the order written, never in
   * the table (nothing reads it back). The update is shared, never changed.
   */
  writeHistory(key: string, text: string | null): void {
    if (!isWriteOnly(key)) throw new Error(`writeHistory of ${key}: not a history key`);
    const update: ObjectUpdate = { key, value: text };
    this.historyForCommit.push(update);
    this.historyUnflushed.push(update);
  }

  /** Applies a redo record during recovery. */
  applyUpdate(update: ObjectUpdate): void {
    // A replayed step goes to the next checkpoint (which lets the log holding it be trimmed), not into the table.
    if (isWriteOnly(update.key)) {
      this.historyUnflushed.push(update);
      return;
    }
    if (update.value === null && !isCacheable(update.key)) this.pinned.delete(update.key);
    else this.mapOf(update.key).set(update.key, update.value === null ? ABSENT : update.value);
    this.unflushed.add(update.key);
  }

  /** Snapshot of the given keys as updates (deep copies: the next batch may mutate the live objects). */
  snapshot(keys: Iterable<string>): ObjectUpdate[] {
    const out: ObjectUpdate[] = [];
    for (const key of keys) {
      const v = this.mapOf(key).get(key);
      out.push({ key, value: v === ABSENT || v === undefined ? null : copyForStore(key, v) });
    }
    return out;
  }

  /** The batch's updates: the changed objects' values, then its history updates in the order written. */
  takeCommitUpdates(): ObjectUpdate[] {
    const updates = this.snapshot(this.dirtyForCommit);
    this.dirtyForCommit.clear();
    for (const h of this.historyForCommit) updates.push(h);
    this.historyForCommit = [];
    return updates;
  }

  /** Starts a checkpoint: the unflushed objects' current values and the history updates since the last one; `flushed()` once written. */
  beginCheckpoint(): { updates: ObjectUpdate[]; keys: string[] } {
    const keys = [...this.unflushed];
    this.unflushed.clear();
    for (const k of keys) this.flushing.add(k);
    const updates = this.snapshot(keys);
    for (const h of this.historyUnflushed) updates.push(h);
    this.historyUnflushed = [];
    return { updates, keys };
  }

  flushed(keys: readonly string[]): void {
    for (const k of keys) this.flushing.delete(k);
  }

  /** Keys in memory with a prefix (pinned kinds: timers, activities, outboxes). */
  keysWithPrefix(prefix: string): string[] {
    const out: string[] = [];
    for (const [k, v] of this.pinned) if (k.startsWith(prefix) && v !== ABSENT) out.push(k);
    return out;
  }

  get cachedCount(): number {
    return this.cache.size;
  }

  /** Evicts least recently used clean instances and entities beyond the cache size; returns how many. */
  evict(): number {
    let over = this.cachedCount - this.cacheSize;
    let evicted = 0;
    if (over <= 0) return 0;
    for (const k of this.cache.keys()) {
      if (over <= 0) break;
      if (this.unflushed.has(k) || this.flushing.has(k) || this.dirtyForCommit.has(k)) continue;
      this.decodedFrames.drop(this.cache.get(k));
      this.cache.delete(k);
      over--;
      evicted++;
    }
    return evicted;
  }
}

/** The value a commit record or checkpoint gets: shared if write-once, a copy sharing only replaced-never-mutated parts for instances, else a deep copy. */
function copyForStore(key: string, v: unknown): Json {
  if (isImmutable(key)) return v as Json;
  if (key.startsWith(INSTANCE_PREFIX)) return instanceForCommit(v as InstanceRecord) as unknown as Json;
  return cloneJson(v as Json);
}

function isCacheable(key: string): boolean {
  return key.startsWith(INSTANCE_PREFIX) || key.startsWith(ENTITY_PREFIX);
}
