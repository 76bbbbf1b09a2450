/**
 * The stream and the tables the backend needs: their shape (one place, shared
 * with the CloudFormation template in deploy/), a check that they exist and fit,
 * and their creation for development against emulators.
 *
 * Invariant: partition i is the i-th open shard in hash-key order, addressed by
 * that shard's StartingHashKey as ExplicitHashKey; a stream whose open shard
 * count differs from the partition count is refused (partitions would move).
 */
import {
  CreateStreamCommand, DescribeStreamSummaryCommand, ListShardsCommand, type KinesisClient, type Shard,
} from "@aws-sdk/client-kinesis";
import {
  CreateTableCommand, DescribeTableCommand, type CreateTableCommandInput, type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { sleep, withRetry } from "./retry.ts";

/** Key schema of the partitions table: `pk` = "p<N>", `sk` = item kind and id (see store/keys.ts). */
export function partitionsTableSpec(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
  };
}

/** Key schema of the status table: one item per instance id. */
export function statusTableSpec(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
  };
}

/** Waiting for a stream or table to become ACTIVE: 600 polls of 100 ms, one minute, then a clear error. */
const MAX_ACTIVE_POLLS = 600;
const ACTIVE_POLL_MS = 100;

function isNotFound(error: unknown): boolean {
  return (error as { name?: string })?.name === "ResourceNotFoundException";
}
function isInUse(error: unknown): boolean {
  return (error as { name?: string })?.name === "ResourceInUseException";
}

export async function ensureTable(dynamodb: DynamoDBClient, spec: CreateTableCommandInput, create: boolean): Promise<void> {
  const name = spec.TableName!;
  for (let poll = 0; poll < MAX_ACTIVE_POLLS; poll++) {
    try {
      const { Table } = await withRetry(`DescribeTable ${name}`, () => dynamodb.send(new DescribeTableCommand({ TableName: name })));
      if (Table?.TableStatus === "ACTIVE") return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      if (!create) throw new Error(`aws backend: DynamoDB table "${name}" does not exist; deploy it with 'nwc deploy --target aws' (or set createResources: true)`);
      try {
        await withRetry(`CreateTable ${name}`, () => dynamodb.send(new CreateTableCommand(spec)));
      } catch (e) {
        if (!isInUse(e)) throw e; // another host created it at the same moment: fine
      }
    }
    await sleep(ACTIVE_POLL_MS);
  }
  throw new Error(`aws backend: DynamoDB table "${name}" did not become ACTIVE within ${(MAX_ACTIVE_POLLS * ACTIVE_POLL_MS) / 1000} s`);
}

/** Returns the open shards of `stream` in hash-key order, creating the stream with `partitionCount` shards if allowed. */
export async function ensureStream(kinesis: KinesisClient, stream: string, partitionCount: number, create: boolean): Promise<Shard[]> {
  if (!(Number.isInteger(partitionCount) && partitionCount >= 1)) throw new TypeError(`aws backend: partitions must be an integer >= 1, got ${partitionCount}`);
  let active = false;
  for (let poll = 0; poll < MAX_ACTIVE_POLLS && !active; poll++) {
    try {
      const { StreamDescriptionSummary: s } = await withRetry(`DescribeStreamSummary ${stream}`, () =>
        kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream })));
      active = s?.StreamStatus === "ACTIVE" || s?.StreamStatus === "UPDATING";
    } catch (error) {
      if (!isNotFound(error)) throw error;
      if (!create) throw new Error(`aws backend: Kinesis stream "${stream}" does not exist; deploy it with 'nwc deploy --target aws' (or set createResources: true)`);
      try {
        await withRetry(`CreateStream ${stream}`, () => kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: partitionCount })));
      } catch (e) {
        if (!isInUse(e)) throw e;
      }
    }
    if (!active) await sleep(ACTIVE_POLL_MS);
  }
  if (!active) throw new Error(`aws backend: Kinesis stream "${stream}" did not become ACTIVE within ${(MAX_ACTIVE_POLLS * ACTIVE_POLL_MS) / 1000} s`);
  const shards = await listOpenShards(kinesis, stream);
  if (shards.length !== partitionCount) {
    throw new Error(
      `aws backend: Kinesis stream "${stream}" has ${shards.length} open shards but the host runs ${partitionCount} partitions; ` +
        `use partitions: ${shards.length}, or a stream with ${partitionCount} shards (one shard per partition)`,
    );
  }
  return shards;
}

/** Bound on ListShards pages: 10,000 shards at 1,000 per page is far beyond any partition count we support. */
const MAX_LIST_SHARDS_PAGES = 10;

export async function listOpenShards(kinesis: KinesisClient, stream: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_LIST_SHARDS_PAGES; page++) {
    const out = await withRetry(`ListShards ${stream}`, () =>
      kinesis.send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: stream })));
    shards.push(...(out.Shards ?? []));
    token = out.NextToken;
    if (!token) break;
  }
  return shards
    .filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined)
    .sort((a, b) => {
      const x = BigInt(a.HashKeyRange!.StartingHashKey!), y = BigInt(b.HashKeyRange!.StartingHashKey!);
      return x < y ? -1 : x > y ? 1 : 0;
    });
}
