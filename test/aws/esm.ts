/**
 * Builds Kinesis event-source-mapping events from records really read off the
 * emulated stream (GetShardIterator + GetRecords through the SDK), shaped the
 * way Lambda delivers them: base64 data, sequenceNumber, partitionKey,
 * eventID "<shardId>:<sequenceNumber>", eventSourceARN.
 */
import { DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { listOpenShards } from "../../runtime/backends/aws/resources.ts";
import type { KinesisEventRecord, KinesisStreamEvent } from "../../runtime/lambda/events.ts";

export async function readShardAsEvents(kinesis: KinesisClient, stream: string, partition: number, after?: string): Promise<KinesisEventRecord[]> {
  const shards = await listOpenShards(kinesis, stream);
  const shardId = shards[partition].ShardId!;
  const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
  const arn = StreamDescriptionSummary!.StreamARN!;
  const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand(after
    ? { StreamName: stream, ShardId: shardId, ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: after }
    : { StreamName: stream, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }));
  const out = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
  return (out.Records ?? []).map((r) => ({
    eventSource: "aws:kinesis",
    eventSourceARN: arn,
    eventID: `${shardId}:${r.SequenceNumber}`,
    awsRegion: "us-east-1",
    kinesis: {
      kinesisSchemaVersion: "1.0",
      data: Buffer.from(r.Data!).toString("base64"),
      sequenceNumber: r.SequenceNumber!,
      partitionKey: r.PartitionKey!,
      approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
    },
  }));
}

export const asEvent = (records: KinesisEventRecord[]): KinesisStreamEvent => ({ Records: records });
