/**
 * The `aws` backend: Kinesis channels and a DynamoDB store behind the two
 * backend interfaces. `createAwsBackend(options, partitionCount)` checks (and,
 * against emulators, creates) the stream and tables, then returns a Backend
 * whose `close()` releases the SDK clients.
 */
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Backend } from "../types.ts";
import { KinesisChannels } from "./channels.ts";
import { createClients, type AwsClients } from "./clients.ts";
import { tableNames, validateAwsOptions, type AwsBackendOptions } from "./options.ts";
import { ensureStream, ensureTable, partitionsTableSpec, statusTableSpec } from "./resources.ts";
import { DynamoStore } from "./store/index.ts";
import { DynamoVersionStore } from "../../versions/dynamo-store.ts";

export type { AwsBackendOptions } from "./options.ts";
export { KinesisChannels } from "./channels.ts";
export { DynamoStore } from "./store/index.ts";

export interface AwsBackend extends Backend {
  readonly kind: "aws";
  readonly channels: KinesisChannels;
  readonly store: DynamoStore;
  readonly versions: DynamoVersionStore;
  /** The SDK clients (tests add middleware to them to count or fail requests). */
  readonly clients: AwsClients;
}

/**
 * Only the channels (the stream checked, no table touched): for callers that
 * just send, such as the timer function, whose role has no table access.
 */
export async function createAwsChannels(options: unknown, partitionCount: number): Promise<{ channels: KinesisChannels; clients: AwsClients; close(): Promise<void> }> {
  const o: AwsBackendOptions = validateAwsOptions(options);
  const c = createClients(o);
  try {
    const shards = await ensureStream(c.kinesis, o.stream, partitionCount, o.createResources ?? o.endpoints !== undefined);
    const channels = new KinesisChannels(c.kinesis, o.stream, shards, o.minReadIntervalMs);
    return {
      channels,
      clients: c,
      async close() {
        await channels.close();
        c.kinesis.destroy();
        c.dynamodb.destroy();
      },
    };
  } catch (error) {
    c.kinesis.destroy();
    c.dynamodb.destroy();
    throw error;
  }
}

export async function createAwsBackend(options: unknown, partitionCount: number, clients?: AwsClients): Promise<AwsBackend> {
  const o: AwsBackendOptions = validateAwsOptions(options);
  if (!(Number.isInteger(partitionCount) && partitionCount >= 1)) throw new TypeError(`aws backend: partitions must be an integer >= 1, got ${partitionCount}`);
  const c = clients ?? createClients(o);
  const create = o.createResources ?? o.endpoints !== undefined;
  const tables = tableNames(o);
  try {
    await ensureTable(c.dynamodb, partitionsTableSpec(tables.partitions), create);
    await ensureTable(c.dynamodb, statusTableSpec(tables.status), create);
    const shards = await ensureStream(c.kinesis, o.stream, partitionCount, create);
    const doc = DynamoDBDocumentClient.from(c.dynamodb, { marshallOptions: { removeUndefinedValues: true } });
    const channels = new KinesisChannels(c.kinesis, o.stream, shards, o.minReadIntervalMs);
    const store = new DynamoStore(doc, tables, partitionCount);
    let closed = false;
    return {
      kind: "aws",
      channels,
      store,
      versions: new DynamoVersionStore(doc, tables.partitions),
      clients: c,
      async close() {
        if (closed) return;
        closed = true;
        await channels.close();
        await store.close();
        if (!clients) {
          c.kinesis.destroy();
          c.dynamodb.destroy();
        }
      },
    };
  } catch (error) {
    if (!clients) {
      c.kinesis.destroy();
      c.dynamodb.destroy();
    }
    throw error;
  }
}
