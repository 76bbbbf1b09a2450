/**
 * A PartitionStore wrapper that remembers the last input position a commit
 * made durable, so the Lambda handler knows which records of its batch are
 * safely consumed (report success) and which are not (report them as
 * `batchItemFailures`, for Lambda to deliver again).
 * Invariant: `committedInput` only moves forward, and only after the store
 * confirmed the commit.
 */
import type {
  ChannelPosition, CheckpointState, CommitRecord, InstanceStatusRecord, Json, Lease, ObjectUpdate, PartitionStore, StatusFilter,
} from "../backends/types.ts";

export class TrackingStore implements PartitionStore {
  committedInput: ChannelPosition | undefined;
  appendsInFlight = 0;

  constructor(private readonly inner: PartitionStore, private readonly compare: (a: ChannelPosition, b: ChannelPosition) => number) {}

  get partitionCount(): number {
    return this.inner.partitionCount;
  }

  async appendCommit(lease: Lease, record: CommitRecord, inputDurable?: Promise<void>): Promise<void> {
    this.appendsInFlight++;
    try {
      await this.inner.appendCommit(lease, record, inputDurable);
    } finally {
      this.appendsInFlight--;
    }
    const p = record.inputPosition;
    if (p !== undefined && (this.committedInput === undefined || this.compare(p, this.committedInput) > 0)) this.committedInput = p;
  }

  acquireLease(partition: number, owner: string, durationMs: number): Promise<Lease | undefined> { return this.inner.acquireLease(partition, owner, durationMs); }
  renewLease(lease: Lease, durationMs: number): Promise<Lease | undefined> { return this.inner.renewLease(lease, durationMs); }
  releaseLease(lease: Lease): Promise<void> { return this.inner.releaseLease(lease); }
  readCommits(partition: number, after: number): Promise<CommitRecord[]> { return this.inner.readCommits(partition, after); }
  writeCheckpoint(lease: Lease, state: CheckpointState, updates: readonly ObjectUpdate[]): Promise<void> { return this.inner.writeCheckpoint(lease, state, updates); }
  readCheckpointState(partition: number): Promise<CheckpointState> { return this.inner.readCheckpointState(partition); }
  readObject(partition: number, key: string): Promise<Json | undefined> { return this.inner.readObject(partition, key); }
  listObjectKeys(partition: number, prefix: string): Promise<string[]> { return this.inner.listObjectKeys(partition, prefix); }
  trimCommits(partition: number, upTo: number): Promise<void> { return this.inner.trimCommits(partition, upTo); }
  readStatus(instanceId: string): Promise<InstanceStatusRecord | undefined> { return this.inner.readStatus(instanceId); }
  listStatus(filter: StatusFilter): Promise<InstanceStatusRecord[]> { return this.inner.listStatus(filter); }
  close(): Promise<void> { return this.inner.close(); }
}
