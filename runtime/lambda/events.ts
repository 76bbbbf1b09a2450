/**
 * The shapes of the events Lambda hands the handlers (Kinesis event source
 * mapping batches, EventBridge scheduled events) and the partial-batch answer,
 * plus decoding a Kinesis event record back to the channel record it carries.
 * Invariant: a record that does not decode to an envelope is an error naming
 * its sequence number, never skipped silently.
 */
import type { ChannelRecord, Envelope } from "../backends/types.ts";

export interface KinesisEventRecord {
  eventSource?: "aws:kinesis";
  eventSourceARN: string;
  /** "<shardId>:<sequenceNumber>" */
  eventID: string;
  awsRegion?: string;
  kinesis: {
    data: string; // base64
    sequenceNumber: string;
    partitionKey: string;
    approximateArrivalTimestamp?: number;
    kinesisSchemaVersion?: string;
  };
}

export interface KinesisStreamEvent {
  Records: KinesisEventRecord[];
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export interface ScheduledEvent {
  "detail-type"?: string;
  source?: string;
  time?: string;
}

export function shardIdOf(record: KinesisEventRecord): string {
  const colon = record.eventID.indexOf(":");
  if (colon <= 0) throw new Error(`nwc lambda: event record ${record.kinesis.sequenceNumber} has no shard id in eventID ${JSON.stringify(record.eventID)}`);
  return record.eventID.slice(0, colon);
}

export function toChannelRecord(record: KinesisEventRecord): ChannelRecord {
  let envelope: Envelope;
  try {
    envelope = JSON.parse(Buffer.from(record.kinesis.data, "base64").toString("utf8")) as Envelope;
  } catch (error) {
    throw new Error(`nwc lambda: record ${record.kinesis.sequenceNumber} is not an nwc envelope: ${(error as Error).message}`);
  }
  if (typeof envelope?.from !== "string" || typeof envelope.seq !== "number" || typeof envelope.to !== "number") {
    throw new Error(`nwc lambda: record ${record.kinesis.sequenceNumber} is not an nwc envelope (from/to/seq missing)`);
  }
  return { position: record.kinesis.sequenceNumber, envelope };
}
