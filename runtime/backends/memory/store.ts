/**
 * In-memory PartitionStore: leases with epochs, the commit log, checkpointed
 * objects and the status index, all kept as JSON text (nothing shared with
 * the caller). Optional seeded crashes just before or just after a commit is
 * written, and an optional per-commit latency (to model an fsync).
 *
 * Invariants: a commit is appended only at last+1 and only under the current
 * lease epoch (else FencedError); a checkpoint and its objects become visible
 * together; the status index reflects every appended commit.
 */
import type { Clock } from "../../partitions/clock.ts";
import {
  FencedError,
  type CheckpointState,
  type CommitRecord,
  type InstanceStatusRecord,
  type Json,
  type Lease,
  type ObjectUpdate,
  type PartitionStore,
  type StatusFilter,
} from "../types.ts";
import { SimulatedCrash, type Faults } from "./faults.ts";

interface PartitionData {
  lease?: Lease;
  epoch: number;
  commits: { position: number; text: string }[];
  lastPosition: number;
  checkpoint: CheckpointState;
  objects: Map<string, string>;
}

export class MemoryStore implements PartitionStore {
  private readonly parts: PartitionData[];
  private readonly statuses = new Map<string, string>();
  /** Added to every commit append (a modelled fsync). */
  commitLatencyMs = 0;
  appendedCommits = 0;

  constructor(readonly partitionCount: number, private readonly clock: Clock, private readonly faults?: Faults) {
    this.parts = Array.from({ length: partitionCount }, () => ({
      epoch: 0,
      commits: [],
      lastPosition: 0,
      checkpoint: { logPosition: 0 },
      objects: new Map(),
    }));
  }

  private part(partition: number): PartitionData {
    const p = this.parts[partition];
    if (!p) throw new RangeError(`memory store: no partition ${partition}`);
    return p;
  }

  async acquireLease(partition: number, owner: string, durationMs: number): Promise<Lease | undefined> {
    const p = this.part(partition);
    const now = this.clock.now();
    if (p.lease && p.lease.owner !== owner && p.lease.expiresAtMs > now) return undefined;
    if (!p.lease || p.lease.owner !== owner) p.epoch++;
    p.lease = { partition, owner, epoch: p.epoch, expiresAtMs: now + durationMs };
    return { ...p.lease };
  }

  async renewLease(lease: Lease, durationMs: number): Promise<Lease | undefined> {
    const p = this.part(lease.partition);
    if (!p.lease || p.lease.epoch !== lease.epoch || p.lease.owner !== lease.owner) return undefined;
    p.lease = { ...p.lease, expiresAtMs: this.clock.now() + durationMs };
    return { ...p.lease };
  }

  async releaseLease(lease: Lease): Promise<void> {
    const p = this.part(lease.partition);
    if (p.lease && p.lease.epoch === lease.epoch) p.lease = undefined;
  }

  /** Takes the lease away from its owner at once (tests of fencing). */
  stealLease(partition: number, owner: string, durationMs = 60_000): Lease {
    const p = this.part(partition);
    p.epoch++;
    p.lease = { partition, owner, epoch: p.epoch, expiresAtMs: this.clock.now() + durationMs };
    return { ...p.lease };
  }

  private fence(lease: Lease): PartitionData {
    const p = this.part(lease.partition);
    if (lease.epoch !== p.epoch) throw new FencedError(lease.partition, lease.epoch, p.epoch);
    return p;
  }

  async appendCommit(lease: Lease, record: CommitRecord, inputDurable?: Promise<void>): Promise<void> {
    if (inputDurable) await inputDurable; // memory channels have no durable(): never given one by the partition, honoured all the same
    if (this.commitLatencyMs > 0) await new Promise<void>((r) => this.clock.setTimeout(r, this.commitLatencyMs));
    const p = this.fence(lease);
    if (record.position !== p.lastPosition + 1) {
      throw new Error(`memory store: partition ${lease.partition} commit at position ${record.position}, expected ${p.lastPosition + 1}`);
    }
    if (this.faults?.crashBeforeCommit()) throw new SimulatedCrash(`before commit ${record.position} of partition ${lease.partition}`);
    p.commits.push({ position: record.position, text: JSON.stringify(record) });
    p.lastPosition = record.position;
    this.appendedCommits++;
    for (const s of record.statusUpdates) this.statuses.set(s.instanceId, JSON.stringify(s));
    for (const id of record.statusDeletes ?? []) this.statuses.delete(id);
    if (this.faults?.crashAfterCommit()) throw new SimulatedCrash(`after commit ${record.position} of partition ${lease.partition}`);
  }

  async readCommits(partition: number, after: number): Promise<CommitRecord[]> {
    return this.part(partition).commits.filter((c) => c.position > after).map((c) => JSON.parse(c.text));
  }

  async writeCheckpoint(lease: Lease, state: CheckpointState, updates: readonly ObjectUpdate[]): Promise<void> {
    const p = this.fence(lease);
    if (state.logPosition > p.lastPosition) throw new Error(`memory store: checkpoint at ${state.logPosition} is ahead of the log (${p.lastPosition})`);
    for (const u of updates) {
      if (u.value === null) p.objects.delete(u.key);
      else p.objects.set(u.key, JSON.stringify(u.value));
    }
    p.checkpoint = { ...state };
  }

  async readCheckpointState(partition: number): Promise<CheckpointState> {
    return { ...this.part(partition).checkpoint };
  }

  async readObject(partition: number, key: string): Promise<Json | undefined> {
    const text = this.part(partition).objects.get(key);
    return text === undefined ? undefined : JSON.parse(text);
  }

  async listObjectKeys(partition: number, prefix: string): Promise<string[]> {
    return [...this.part(partition).objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async trimCommits(partition: number, upTo: number): Promise<void> {
    const p = this.part(partition);
    if (upTo > p.checkpoint.logPosition) throw new Error(`memory store: trim to ${upTo} beyond the checkpoint (${p.checkpoint.logPosition})`);
    p.commits = p.commits.filter((c) => c.position > upTo);
  }

  /** Commit records still in the log (tests of trimming). */
  logLength(partition: number): number {
    return this.part(partition).commits.length;
  }

  async readStatus(instanceId: string): Promise<InstanceStatusRecord | undefined> {
    const text = this.statuses.get(instanceId);
    return text === undefined ? undefined : JSON.parse(text);
  }

  async listStatus(filter: StatusFilter): Promise<InstanceStatusRecord[]> {
    const out: InstanceStatusRecord[] = [];
    for (const text of this.statuses.values()) {
      const s = JSON.parse(text) as InstanceStatusRecord;
      if (matches(s, filter)) out.push(s);
    }
    out.sort((a, b) => a.createdAt - b.createdAt || (a.instanceId < b.instanceId ? -1 : 1));
    return filter.limit !== undefined ? out.slice(0, filter.limit) : out;
  }

  async close(): Promise<void> {}
}

export function matches(s: InstanceStatusRecord, f: StatusFilter): boolean {
  if (f.name !== undefined && s.name !== f.name) return false;
  if (f.status && f.status.length > 0 && !f.status.includes(s.status)) return false;
  if (f.createdFrom !== undefined && s.createdAt < f.createdFrom) return false;
  if (f.createdTo !== undefined && s.createdAt > f.createdTo) return false;
  if (f.instanceIdPrefix !== undefined && !s.instanceId.startsWith(f.instanceIdPrefix)) return false;
  return true;
}
