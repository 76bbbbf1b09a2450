/**
 * `PartitionStore` on DynamoDB: composes the lease, commit-log, object and
 * status modules over two tables (`<prefix>partitions`, `<prefix>status`).
 * Invariant: every write that changes a partition's state is a transaction
 * that checks the writer's lease epoch, so a fenced owner changes nothing.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type {
  CheckpointState, CommitRecord, InstanceStatusRecord, Json, Lease, ObjectUpdate, PartitionStore, StatusFilter,
} from "../../types.ts";
import { BATCH_WRITE_MAX_ITEMS } from "../limits.ts";
import { backoffDelayMs, DEFAULT_RETRY, sleep, withRetry } from "../retry.ts";
import { CommitLog } from "./commits.ts";
import { Leases } from "./leases.ts";
import { Objects } from "./objects.ts";
import { StatusIndex, type Item } from "./status.ts";

export class DynamoStore implements PartitionStore {
  private readonly leases: Leases;
  private readonly log: CommitLog;
  private readonly objects: Objects;
  private readonly status: StatusIndex;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: { partitions: string; status: string },
    readonly partitionCount: number,
  ) {
    this.leases = new Leases(doc, tables.partitions, partitionCount);
    this.status = new StatusIndex(doc, tables.status);
    this.log = new CommitLog(doc, tables.partitions, this.leases, this.status);
    this.objects = new Objects(doc, tables.partitions, this.leases);
  }

  acquireLease(partition: number, owner: string, durationMs: number): Promise<Lease | undefined> {
    return this.leases.acquire(partition, owner, durationMs);
  }
  renewLease(lease: Lease, durationMs: number): Promise<Lease | undefined> {
    return this.leases.renew(lease, durationMs);
  }
  releaseLease(lease: Lease): Promise<void> {
    return this.leases.release(lease);
  }
  /** See Leases.takeOver: only where no other live owner can exist (the Lambda event source mapping). */
  takeOverLease(partition: number, owner: string, durationMs: number): Promise<Lease | undefined> {
    return this.leases.takeOver(partition, owner, durationMs);
  }
  /** The current lease item of a partition (for operators and tests). */
  readLease(partition: number): Promise<Lease | undefined> {
    return this.leases.read(partition);
  }

  async appendCommit(lease: Lease, record: CommitRecord, inputDurable?: Promise<void>): Promise<void> {
    this.assertPartition(lease.partition);
    if (inputDurable) await inputDurable; // Kinesis records are durable when read (no durable()): never given one by the partition, honoured all the same
    return this.log.append(lease, record);
  }
  readCommits(partition: number, after: number): Promise<CommitRecord[]> {
    this.assertPartition(partition);
    return this.log.read(partition, after);
  }
  /** Last committed position and the input position it consumed. */
  readHead(partition: number): Promise<{ last: number; inputPosition?: string }> {
    this.assertPartition(partition);
    return this.log.head(partition);
  }

  writeCheckpoint(lease: Lease, state: CheckpointState, updates: readonly ObjectUpdate[]): Promise<void> {
    this.assertPartition(lease.partition);
    return this.objects.writeCheckpoint(lease, state, updates);
  }
  readCheckpointState(partition: number): Promise<CheckpointState> {
    this.assertPartition(partition);
    return this.objects.readCheckpointState(partition);
  }
  readObject(partition: number, key: string): Promise<Json | undefined> {
    this.assertPartition(partition);
    return this.objects.readObject(partition, key);
  }
  listObjectKeys(partition: number, prefix: string): Promise<string[]> {
    this.assertPartition(partition);
    return this.objects.listObjectKeys(partition, prefix);
  }
  trimCommits(partition: number, upTo: number): Promise<void> {
    this.assertPartition(partition);
    return this.log.trim(partition, upTo, (keys) => this.deleteAll(keys));
  }

  readStatus(instanceId: string): Promise<InstanceStatusRecord | undefined> {
    return this.status.read(instanceId);
  }
  listStatus(filter: StatusFilter): Promise<InstanceStatusRecord[]> {
    return this.status.list(filter ?? {});
  }

  async close(): Promise<void> {}

  /** BatchWriteItem deletes, 25 at a time; UnprocessedItems are sent again with jittered backoff (bounded). */
  private async deleteAll(keys: Item[]): Promise<void> {
    for (let at = 0; at < keys.length; at += BATCH_WRITE_MAX_ITEMS) {
      let pending = keys.slice(at, at + BATCH_WRITE_MAX_ITEMS).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= DEFAULT_RETRY.maxAttempts) throw new Error(`trimCommits: ${pending.length} deletes still unprocessed after ${attempt} attempts`);
        if (attempt > 0) await sleep(backoffDelayMs(DEFAULT_RETRY, attempt - 1));
        const out = await withRetry("trimCommits BatchWriteItem", () =>
          this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tables.partitions]: pending } })));
        pending = (out.UnprocessedItems?.[this.tables.partitions] ?? []) as typeof pending;
      }
    }
  }

  private assertPartition(partition: number): void {
    if (!(Number.isInteger(partition) && partition >= 0 && partition < this.partitionCount)) {
      throw new RangeError(`aws store: no partition ${partition} (there are ${this.partitionCount})`);
    }
  }
}
