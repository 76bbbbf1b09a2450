/**
 * Poison records: stream records a partition can never apply (data that is
 * not an nwc envelope, or an envelope addressed to another partition). Left
 * in the batch they would fail every retry and hold the shard; dropped, they
 * would be lost without a trace. So the processor skips them and records
 * each one here first, as an item of the partitions table:
 *
 *   pk = p<N>, sk = poison#<shard>#<sequence>: shardId, sequenceNumber,
 *   partitionKey, reason, recordedAt, dataBytes, data (base64, at most
 *   MAX_KEPT_DATA_BYTES of it; the stream keeps the whole record for its
 *   retention period), dataTruncated
 *
 * Invariant: a poison record is skipped only once its item is written (the
 * write is idempotent: a redelivered record keeps its first item); if the
 * write fails, the record is reported as a batch failure so Lambda delivers
 * it again.
 */
import { PutItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { partitionKey, poisonSk } from "../backends/aws/store/keys.ts";
import { withRetry } from "../backends/aws/retry.ts";
import type { ChannelRecord } from "../backends/types.ts";
import { toChannelRecord, type KinesisEventRecord } from "./events.ts";

/** DynamoDB items hold 400 KB; 64 KiB of data (about 87 KB in base64) leaves room and is enough to see what it was. */
export const MAX_KEPT_DATA_BYTES = 64 * 1024;

export interface PoisonRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  reason: string;
  /** The record's data as delivered (base64). */
  data: string;
}

/** Splits a batch into the records the partition can apply and the poison ones, both in stream order. */
export function sortBatch(records: KinesisEventRecord[], partition: number, shardId: string): { good: ChannelRecord[]; poison: PoisonRecord[] } {
  const good: ChannelRecord[] = [];
  const poison: PoisonRecord[] = [];
  for (const r of records) {
    let reason: string | undefined;
    try {
      const record = toChannelRecord(r);
      if (record.envelope.to === partition) good.push(record);
      else reason = `an envelope addressed to partition ${record.envelope.to} on the shard of partition ${partition}`;
    } catch (error) {
      reason = (error as Error).message;
    }
    if (reason !== undefined) {
      poison.push({ shardId, sequenceNumber: r.kinesis.sequenceNumber, partitionKey: r.kinesis.partitionKey, reason, data: r.kinesis.data ?? "" });
    }
  }
  return { good, poison };
}

/** Writes the record's item (kept if already there); throws when it could not be written. */
export async function keepPoison(dynamodb: DynamoDBClient, table: string, partition: number, p: PoisonRecord, nowMs: number): Promise<void> {
  const bytes = Buffer.from(p.data, "base64");
  const kept = bytes.subarray(0, MAX_KEPT_DATA_BYTES);
  try {
    await withRetry(`PutItem poison record ${p.sequenceNumber}`, () => dynamodb.send(new PutItemCommand({
      TableName: table,
      Item: {
        pk: { S: partitionKey(partition) },
        sk: { S: poisonSk(p.shardId, p.sequenceNumber) },
        shardId: { S: p.shardId },
        sequenceNumber: { S: p.sequenceNumber },
        partitionKey: { S: p.partitionKey },
        reason: { S: p.reason.slice(0, 2000) },
        recordedAt: { S: new Date(nowMs).toISOString() },
        dataBytes: { N: String(bytes.byteLength) },
        data: { S: kept.toString("base64") },
        dataTruncated: { BOOL: kept.byteLength < bytes.byteLength },
      },
      // A redelivered record keeps the item of its first delivery.
      ConditionExpression: "attribute_not_exists(sk)",
    })));
  } catch (error) {
    if ((error as { name?: string }).name !== "ConditionalCheckFailedException") throw error;
  }
}
