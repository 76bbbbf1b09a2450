/**
 * Builds the real AWS SDK v3 clients the backend talks through. Kinesis uses
 * `NodeHttpHandler` (HTTP/1.1): kinesis-mock does not speak the HTTP/2 the
 * default Kinesis handler would negotiate for streaming calls. The SDK's own
 * retries are turned off (`maxAttempts: 1`): retry.ts is the single retry
 * layer, so every retry is bounded and counted in one place.
 */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsBackendOptions } from "./options.ts";

/** Credentials the emulators accept (they check the signature's shape, not the secret). */
const EMULATOR_CREDENTIALS = { accessKeyId: "nwclocal", secretAccessKey: "nwclocal" };

/** Per-request socket timeout: long enough for a 5 MB PutRecords, short enough to retry a dead connection. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface AwsClients {
  kinesis: KinesisClient;
  dynamodb: DynamoDBClient;
}

export function createClients(options: AwsBackendOptions): AwsClients {
  const credentials = options.credentials ?? (options.endpoints ? EMULATOR_CREDENTIALS : undefined);
  const common = { region: options.region, maxAttempts: 1, ...(credentials ? { credentials } : {}) };
  const kinesis = new KinesisClient({
    ...common,
    ...(options.endpoints?.kinesis ? { endpoint: options.endpoints.kinesis } : {}),
    requestHandler: new NodeHttpHandler({ requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: 5000 }),
  });
  const dynamodb = new DynamoDBClient({
    ...common,
    ...(options.endpoints?.dynamodb ? { endpoint: options.endpoints.dynamodb } : {}),
    requestHandler: new NodeHttpHandler({ requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: 5000 }),
  });
  return { kinesis, dynamodb };
}
