/**
 * The Lambda functions' configuration, read once per container from the
 * environment the CloudFormation template sets (deploy/template.ts):
 * NWC_STREAM, NWC_TABLE_PREFIX, NWC_PARTITIONS, AWS_REGION, NWC_ACTIVITY_FUNCTION
 * (optional: dispatch activities to the worker function), and for tests
 * against emulators NWC_DYNAMODB_ENDPOINT / NWC_KINESIS_ENDPOINT.
 * Invariant: a missing or malformed variable is an error naming it.
 */
import type { AwsBackendOptions } from "../backends/aws/options.ts";

export interface LambdaConfig {
  backend: AwsBackendOptions;
  partitions: number;
  /** Name of the activity worker function; unset: activities run in the partition processor's invocation. */
  activityFunction?: string;
}

export function configFromEnv(env: Record<string, string | undefined> = process.env): LambdaConfig {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`nwc lambda: environment variable ${name} is not set (the deploy template sets it)`);
    return value;
  };
  const partitions = Number(need("NWC_PARTITIONS"));
  if (!(Number.isInteger(partitions) && partitions >= 1)) throw new Error(`nwc lambda: NWC_PARTITIONS must be a positive integer, got ${env.NWC_PARTITIONS}`);
  const endpoints = env.NWC_DYNAMODB_ENDPOINT || env.NWC_KINESIS_ENDPOINT
    ? { dynamodb: env.NWC_DYNAMODB_ENDPOINT, kinesis: env.NWC_KINESIS_ENDPOINT }
    : undefined;
  return {
    backend: {
      kind: "aws",
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? need("AWS_REGION"),
      stream: need("NWC_STREAM"),
      tablePrefix: env.NWC_TABLE_PREFIX ?? "",
      ...(endpoints ? { endpoints } : {}),
    },
    partitions,
    ...(env.NWC_ACTIVITY_FUNCTION ? { activityFunction: env.NWC_ACTIVITY_FUNCTION } : {}),
  };
}
