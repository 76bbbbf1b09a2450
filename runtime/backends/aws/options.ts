/**
 * The `aws` backend's configuration, as users write it in `startHost({ backend })`,
 * and its validation. Invariant: a bad option is refused here with a message
 * naming the option, before any request is made.
 */

export type AwsBackendOptions = {
  kind: "aws";
  region: string;
  /** Kinesis stream name: one shard per partition. */
  stream: string;
  /** Prefix of the two DynamoDB tables: `<prefix>partitions` and `<prefix>status`. */
  tablePrefix: string;
  /** Endpoint overrides (emulators); when set, dummy credentials are used unless `credentials` is given. */
  endpoints?: { dynamodb?: string; kinesis?: string };
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Create the stream and tables when they are missing (default: true when `endpoints` is set). */
  createResources?: boolean;
  /** Minimum time between two GetRecords calls on one shard (default 200 ms: the 5 reads/s/shard quota). */
  minReadIntervalMs?: number;
};

const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const TABLE_PREFIX = /^[a-zA-Z0-9_.-]{0,200}$/;

export function validateAwsOptions(options: unknown): AwsBackendOptions {
  const o = options as Partial<AwsBackendOptions> | null;
  if (!o || typeof o !== "object") throw new TypeError(`aws backend: expected { kind: "aws", region, stream, tablePrefix, endpoints? }`);
  if (o.kind !== "aws") throw new TypeError(`aws backend: kind must be "aws", got ${JSON.stringify(o.kind)}`);
  if (typeof o.region !== "string" || o.region.length === 0) throw new TypeError(`aws backend: "region" must be a region name such as "us-east-1"`);
  if (typeof o.stream !== "string" || !STREAM_NAME.test(o.stream)) {
    throw new TypeError(`aws backend: "stream" must be a Kinesis stream name (1-128 of a-z A-Z 0-9 _ . -), got ${JSON.stringify(o.stream)}`);
  }
  if (typeof o.tablePrefix !== "string" || !TABLE_PREFIX.test(o.tablePrefix)) {
    throw new TypeError(`aws backend: "tablePrefix" must be 0-200 of a-z A-Z 0-9 _ . -, got ${JSON.stringify(o.tablePrefix)}`);
  }
  for (const key of ["dynamodb", "kinesis"] as const) {
    const url = o.endpoints?.[key];
    if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) {
      throw new TypeError(`aws backend: endpoints.${key} must be an http(s) URL, got ${JSON.stringify(url)}`);
    }
  }
  if (o.minReadIntervalMs !== undefined && !(o.minReadIntervalMs >= 0)) {
    throw new TypeError(`aws backend: minReadIntervalMs must be >= 0`);
  }
  return o as AwsBackendOptions;
}

export function tableNames(options: Pick<AwsBackendOptions, "tablePrefix">): { partitions: string; status: string } {
  return { partitions: `${options.tablePrefix}partitions`, status: `${options.tablePrefix}status` };
}
