/**
 * The two small interfaces every backend implements (memory, local, aws):
 *
 * - `Channels`: one ordered, durable input channel per partition (a file per
 *   partition on `local`, a Kinesis shard on `aws`). Clients and partitions send
 *   envelopes; a partition reads its own channel by position.
 * - `PartitionStore`: per partition, a lease with an epoch, an append-only commit
 *   log (one record per processed batch: group commit), and checkpointed objects
 *   (a key-value map written incrementally), plus the instance status index that
 *   clients query.
 *
 * Everything crossing these interfaces is plain JSON data (already encoded by
 * runtime/codec.ts): backends serialise with JSON.stringify and nothing else.
 *
 * Ordering and exactly-once are NOT the channel's job beyond "a message, once
 * `send` resolved, is readable at some position": the partition core puts a
 * contiguous sequence number on every (sender, receiver) pair, drops duplicates
 * and holds back gaps (runtime/partitions/dedup). So a channel may deliver a
 * retried message twice or out of order (Kinesis PutRecords partial failures do).
 */

import type { VersionStore } from "../versions/store.ts";

/** JSON-compatible data. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A message between a sender (a partition or a client) and a receiving partition. */
export interface Envelope {
  /** Sender id: `p<N>` for partition N, `c:<uuid>` for a client. */
  from: string;
  /** Receiving partition. */
  to: number;
  /** Contiguous per (from, to), starting at 1. */
  seq: number;
  /** The message itself, a `PartitionMessage` encoded as JSON (runtime/partitions/messages). */
  body: Json;
}

/** Opaque, backend-defined position of a record in a channel; compare only with `comparePositions`. */
export type ChannelPosition = string;

export interface ChannelRecord {
  position: ChannelPosition;
  envelope: Envelope;
}

export interface Channels {
  readonly partitionCount: number;
  /**
   * Durably append envelopes to their partitions' channels. When the promise
   * resolves every envelope is stored; on rejection some may be stored (the
   * sender re-sends; receivers de-duplicate by seq).
   */
  send(envelopes: readonly Envelope[]): Promise<void>;
  /**
   * Records of `partition` after position `after` (exclusive; undefined = from
   * the beginning of what is retained), at most `maxRecords`. May wait up to
   * `waitMs` for new records when there are none; may return an empty list.
   * A backend with `durable` may return records whose send is still becoming
   * durable.
   */
  read(
    partition: number,
    after: ChannelPosition | undefined,
    options: { maxRecords: number; waitMs?: number },
  ): Promise<ChannelRecord[]>;
  /**
   * Optional, for a backend whose reads may return records before they are
   * durable (local: a same-process send is readable from its write, before its
   * fsync): resolves once every record up to `position` is durable, or returns
   * undefined if it already is. The partition core calls it before a commit
   * that consumed records up to `position`. Absent: every record read is durable.
   */
  durable?(partition: number, position: ChannelPosition): Promise<void> | undefined;
  /** Order of two positions of the same partition: negative, zero or positive. */
  comparePositions(a: ChannelPosition, b: ChannelPosition): number;
  close(): Promise<void>;
}

export interface Lease {
  partition: number;
  owner: string;
  /** Increases with every change of owner; commits carry it and a stale one is refused. */
  epoch: number;
  expiresAtMs: number;
}

/** Thrown by a store when a write carries an epoch older than the partition's current lease. */
export class FencedError extends Error {
  constructor(partition: number, epoch: number, current: number) {
    super(`partition ${partition}: epoch ${epoch} is fenced off by epoch ${current}; another host owns the partition now`);
    this.name = "FencedError";
  }
}

/** An object write: a value, or `null` to delete the key. */
export interface ObjectUpdate {
  key: string;
  value: Json | null;
}

/** Public status of one orchestration instance, as clients read it. */
export interface InstanceStatusRecord {
  instanceId: string;
  name: string;
  /** Suspended: its machine version cannot be loaded on any running host (the error says why and what to do). */
  status: "Pending" | "Running" | "Suspended" | "Completed" | "Failed" | "Terminated";
  input: Json;
  output: Json;
  error: Json;
  customStatus: Json;
  createdAt: number;
  updatedAt: number;
  /** The instance that started this one as a sub-orchestration (absent for a top-level instance). */
  parentInstanceId?: string;
  /** The machine version the instance runs (runtime/versions/); absent in rows written before it was recorded. */
  version?: string;
}

/** One group commit: everything one batch changed. */
export interface CommitRecord {
  /** 1, 2, 3, ... per partition, no gaps. */
  position: number;
  epoch: number;
  /** The last channel position whose record this batch consumed (undefined: none yet). */
  inputPosition?: ChannelPosition;
  /** Redo records: the new values of every object the batch changed. */
  updates: ObjectUpdate[];
  /** Status changes made by the batch, applied to the status index in the same commit. */
  statusUpdates: InstanceStatusRecord[];
  /**
   * Instances whose status row this commit removes (purged). Absent when
   * none; an instance is never in both lists of one record.
   */
  statusDeletes?: string[];
}

export interface CheckpointState {
  /** Last commit position the checkpoint includes (0: none). */
  logPosition: number;
  inputPosition?: ChannelPosition;
}

export interface StatusFilter {
  name?: string;
  status?: InstanceStatusRecord["status"][];
  createdFrom?: number;
  createdTo?: number;
  /** Prefix of the instance id. */
  instanceIdPrefix?: string;
  limit?: number;
}

export interface PartitionStore {
  readonly partitionCount: number;
  /** Take the lease if it is free or expired (a new epoch), or renew it if `owner` holds it. */
  acquireLease(partition: number, owner: string, durationMs: number): Promise<Lease | undefined>;
  /** Extend a held lease; undefined when it was lost. */
  renewLease(lease: Lease, durationMs: number): Promise<Lease | undefined>;
  releaseLease(lease: Lease): Promise<void>;
  /** Who holds the partition's lease now, in words (a waiting host says what it waits for); undefined if free. Optional. */
  leaseHolder?(partition: number): Promise<string | undefined>;

  /**
   * Append one commit record; throws FencedError if `lease` is stale, and refuses a position that is not last+1.
   * `inputDurable`, if given, resolves once the channel input the record consumed is durable (a channel with
   * `durable()`: see `Channels.durable`): the store may write the record meanwhile, but resolves, and makes the
   * record's statuses visible, only after it; if it rejects, so does the append. Recovery drops a last record whose
   * input did not survive (local: `LocalStore`), so such a record is never acknowledged before its input is durable.
   */
  appendCommit(lease: Lease, record: CommitRecord, inputDurable?: Promise<void>): Promise<void>;
  /** Commit records with position > `after`, in order. */
  readCommits(partition: number, after: number): Promise<CommitRecord[]>;

  /** Write the changed objects and the new checkpoint position atomically, then allow trimming the log up to it. */
  writeCheckpoint(lease: Lease, state: CheckpointState, updates: readonly ObjectUpdate[]): Promise<void>;
  readCheckpointState(partition: number): Promise<CheckpointState>;
  /** One checkpointed object (load on demand for the instance cache). */
  readObject(partition: number, key: string): Promise<Json | undefined>;
  /** Keys of checkpointed objects with a prefix (recovery of timers, outbox, ...). */
  listObjectKeys(partition: number, prefix: string): Promise<string[]>;
  /** Drop commit records at or below `upTo` (they are in a checkpoint). */
  trimCommits(partition: number, upTo: number): Promise<void>;

  /** Status index for clients; reflects every appended commit. */
  readStatus(instanceId: string): Promise<InstanceStatusRecord | undefined>;
  listStatus(filter: StatusFilter): Promise<InstanceStatusRecord[]>;

  close(): Promise<void>;
}

/** What a backend factory returns. */
export interface Backend {
  readonly kind: "memory" | "local" | "aws";
  readonly channels: Channels;
  readonly store: PartitionStore;
  /** The machine versions kept with this backend (runtime/versions/); absent on a backend object made elsewhere. */
  readonly versions?: VersionStore;
  close(): Promise<void>;
}
