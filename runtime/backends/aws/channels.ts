/**
 * `Channels` on Kinesis: partition i's input channel is shard i (resources.ts
 * maps them), a position is the record's Kinesis sequence number (compared as
 * BigInt).
 *
 * send: envelopes are cut into PutRecords calls within the call limits; records
 * a call rejects (partial failure) are sent again, alone, with jittered backoff,
 * until every one is stored or the attempts are spent (then `send` rejects and
 * the sender re-sends everything: receivers drop duplicates by seq). A retry can
 * reorder records within a shard: receivers restore order by seq.
 *
 * read: GetShardIterator (AFTER_SEQUENCE_NUMBER, or TRIM_HORIZON from the start)
 * and GetRecords, at most one GetRecords per shard per `minReadIntervalMs` (the
 * 5 reads/s/shard quota). The iterator of the last read is kept, so a reader
 * that continues where it stopped costs one call per read.
 *
 * Invariant: `send` resolves only when every envelope has a sequence number; a
 * record is never silently dropped (an oversized one is an error naming the limit).
 */
import {
  GetRecordsCommand, GetShardIteratorCommand, PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry, type Shard,
} from "@aws-sdk/client-kinesis";
import type { ChannelPosition, ChannelRecord, Channels, Envelope } from "../types.ts";
import {
  GET_RECORDS_MAX_RECORDS, GET_RECORDS_MIN_INTERVAL_MS, KINESIS_RECORD_MAX_BYTES, PUT_RECORDS_MAX_BYTES, PUT_RECORDS_MAX_RECORDS,
} from "./limits.ts";
import { backoffDelayMs, DEFAULT_RETRY, sleep, withRetry, type RetryPolicy } from "./retry.ts";

interface PendingRecord {
  entry: PutRecordsRequestEntry;
  bytes: number;
}

interface ShardCursor {
  /** Position the cached iterator continues after (undefined: from the start). */
  after: ChannelPosition | undefined;
  iterator: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class KinesisChannels implements Channels {
  readonly partitionCount: number;
  private readonly cursors = new Map<number, ShardCursor>();
  private readonly lastReadAtMs = new Map<number, number>();
  private closed = false;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly stream: string,
    private readonly shards: readonly Shard[],
    private readonly minReadIntervalMs = GET_RECORDS_MIN_INTERVAL_MS,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    if (shards.length === 0) throw new Error("KinesisChannels: a stream without open shards");
    this.partitionCount = shards.length;
  }

  async send(envelopes: readonly Envelope[]): Promise<void> {
    this.assertOpen();
    let pending = envelopes.map((e) => this.toRecord(e));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) {
        if (attempt >= this.retry.maxAttempts) {
          throw new Error(`Kinesis PutRecords to "${this.stream}": ${pending.length} record(s) still rejected after ${this.retry.maxAttempts} attempts (throttled); the sender must re-send`);
        }
        await sleep(backoffDelayMs(this.retry, attempt - 1));
      }
      const failed: PendingRecord[] = [];
      for (const batch of cutBatches(pending)) failed.push(...(await this.putBatch(batch)));
      pending = failed;
    }
  }

  /** One PutRecords call; returns the records it did not store. */
  private async putBatch(batch: PendingRecord[]): Promise<PendingRecord[]> {
    const out = await withRetry(`Kinesis PutRecords to "${this.stream}"`, () =>
      this.kinesis.send(new PutRecordsCommand({ StreamName: this.stream, Records: batch.map((r) => r.entry) })), this.retry);
    if (!out.FailedRecordCount) return [];
    const results = out.Records ?? [];
    if (results.length !== batch.length) throw new Error(`Kinesis PutRecords answered ${results.length} results for ${batch.length} records`);
    return batch.filter((_, i) => results[i].ErrorCode !== undefined || results[i].SequenceNumber === undefined);
  }

  private toRecord(envelope: Envelope): PendingRecord {
    if (!(Number.isInteger(envelope.to) && envelope.to >= 0 && envelope.to < this.partitionCount)) {
      throw new RangeError(`Kinesis channels: envelope to partition ${envelope.to}, but there are ${this.partitionCount} partitions (0..${this.partitionCount - 1})`);
    }
    const data = encoder.encode(JSON.stringify(envelope));
    const partitionKey = `p${envelope.to}`;
    const bytes = data.byteLength + partitionKey.length;
    if (bytes > KINESIS_RECORD_MAX_BYTES) {
      throw new RangeError(
        `Kinesis channels: a message from ${envelope.from} to partition ${envelope.to} is ${bytes} bytes, over the Kinesis record limit of ${KINESIS_RECORD_MAX_BYTES} bytes (1 MiB); keep activity inputs/outputs and event payloads smaller (store large data elsewhere and pass a reference)`,
      );
    }
    const entry: PutRecordsRequestEntry = {
      Data: data,
      PartitionKey: partitionKey,
      ExplicitHashKey: this.shards[envelope.to].HashKeyRange!.StartingHashKey!,
    };
    return { entry, bytes };
  }

  async read(partition: number, after: ChannelPosition | undefined, options: { maxRecords: number; waitMs?: number }): Promise<ChannelRecord[]> {
    this.assertOpen();
    if (!(Number.isInteger(partition) && partition >= 0 && partition < this.partitionCount)) {
      throw new RangeError(`Kinesis channels: no partition ${partition} (there are ${this.partitionCount})`);
    }
    if (!(options.maxRecords >= 1)) throw new RangeError(`Kinesis channels: maxRecords must be >= 1`);
    const limit = Math.min(options.maxRecords, GET_RECORDS_MAX_RECORDS);
    // Intervals on the monotonic clock: a wall clock stepped back must not stretch the wait.
    const deadline = performance.now() + (options.waitMs ?? 0);
    for (;;) {
      const records = await this.readOnce(partition, after, limit);
      if (records.length > 0 || performance.now() + this.minReadIntervalMs > deadline || this.closed) return records;
    }
  }

  private async readOnce(partition: number, after: ChannelPosition | undefined, limit: number): Promise<ChannelRecord[]> {
    await this.pace(partition);
    let iterator = this.cursors.get(partition);
    if (!iterator || iterator.after !== after) iterator = { after, iterator: await this.iteratorFor(partition, after) };
    let out;
    try {
      out = await withRetry(`Kinesis GetRecords on partition ${partition}`, () =>
        this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator!.iterator, Limit: limit })), this.retry);
    } catch (error) {
      // An iterator lives 5 minutes: take a fresh one at the same position next time.
      if ((error as { name?: string }).name === "ExpiredIteratorException") {
        this.cursors.delete(partition);
        return [];
      }
      throw error;
    }
    const records: ChannelRecord[] = (out.Records ?? []).map((r) => ({
      position: r.SequenceNumber!,
      envelope: JSON.parse(decoder.decode(r.Data!)) as Envelope,
    }));
    const last = records.length > 0 ? records[records.length - 1].position : after;
    if (out.NextShardIterator) this.cursors.set(partition, { after: last, iterator: out.NextShardIterator });
    else this.cursors.delete(partition);
    return records;
  }

  private async iteratorFor(partition: number, after: ChannelPosition | undefined): Promise<string> {
    const shardId = this.shards[partition].ShardId!;
    const out = await withRetry(`Kinesis GetShardIterator on partition ${partition}`, () =>
      this.kinesis.send(new GetShardIteratorCommand(
        after === undefined
          ? { StreamName: this.stream, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }
          : { StreamName: this.stream, ShardId: shardId, ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: after },
      )), this.retry);
    if (!out.ShardIterator) throw new Error(`Kinesis GetShardIterator on partition ${partition} returned no iterator`);
    return out.ShardIterator;
  }

  /** At most one GetRecords per shard per `minReadIntervalMs`, from this process. */
  private async pace(partition: number): Promise<void> {
    const last = this.lastReadAtMs.get(partition) ?? -Infinity;
    const wait = last + this.minReadIntervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    this.lastReadAtMs.set(partition, performance.now());
  }

  comparePositions(a: ChannelPosition, b: ChannelPosition): number {
    const x = BigInt(a), y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cursors.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("Kinesis channels: used after close()");
  }
}

/** Cuts records into PutRecords calls of at most 500 records and 5 MiB. */
export function cutBatches(records: readonly PendingRecord[]): PendingRecord[][] {
  const batches: PendingRecord[][] = [];
  let current: PendingRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    if (current.length > 0 && (current.length === PUT_RECORDS_MAX_RECORDS || bytes + r.bytes > PUT_RECORDS_MAX_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += r.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
