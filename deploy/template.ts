/**
 * The CloudFormation template for `nwc deploy --target aws`: the Kinesis stream
 * (one shard per partition), the two DynamoDB tables, the Lambda functions
 * (partition processor, activity worker, timer tick, client API), the Kinesis event source
 * mapping with its on-failure queue, the EventBridge schedule that drives timers,
 * and one IAM role per function.
 *
 * Failing batches: the processor itself never fails a batch for a record it
 * cannot decode (it keeps and skips it, runtime/lambda/poison.ts), so a batch
 * fails only for a transient reason (a lease taken over, throttling, an outage)
 * or a bug. The mapping retries such a batch, halving it on each function error
 * (BisectBatchOnFunctionError) to isolate the record at fault, up to
 * PROCESSOR_MAX_RETRIES times or PROCESSOR_MAX_RECORD_AGE_S; then it gives up on
 * the batch and sends its description (shard, first and last sequence numbers)
 * to the ProcessorFailures queue, while the records are still in the stream.
 *
 * Invariant (least privilege): every IAM statement names explicit actions (never
 * a `*` action) on explicit resources: the stream, the two tables, the
 * failure queue, the function's own log group. The policies below are exactly what the code paths
 * of each function call (runtime/backends/aws/, runtime/lambda/).
 */
import { partitionsTableSpec, statusTableSpec } from "../runtime/backends/aws/resources.ts";

export interface TemplateOptions {
  /** Names: the stream is `<name>`, tables `<name>-partitions` / `<name>-status` unless given. */
  name: string;
  partitions: number;
  /** Lambda memory in MB (default 1024: the processor is CPU-bound on JSON and steps). */
  memoryMb?: number;
  /** Records per processor invocation (default 100). */
  batchSize?: number;
  /** How often the timer function ticks every partition (default "rate(1 minute)": EventBridge's finest rate). */
  timerSchedule?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Kinesis: a stream holds at most 500 shards by default quota; more need a quota increase first. */
const MAX_PARTITIONS = 500;
/** Lambda's maximum timeout is 900 s; a partition batch must finish well before the next lease renewal is due. */
const PROCESSOR_TIMEOUT_S = 300;
const CLIENT_TIMEOUT_S = 60;
const TIMER_TIMEOUT_S = 60;
/** An activity attempt runs inside the processor's synchronous Invoke: it must end before the processor's timeout. */
const ACTIVITY_TIMEOUT_S = 240;
/** 14 days of logs: enough to investigate an incident, short enough not to hoard. */
const LOG_RETENTION_DAYS = 14;
/** Kinesis keeps records 24 h (its default, the cheapest retention). */
const STREAM_RETENTION_HOURS = 24;
/**
 * Retries of a failing batch before the mapping gives up on it: many, since a
 * batch fails for transient reasons that a later try clears; bounded, so that
 * a batch failing for a bug cannot hold its shard forever.
 */
const PROCESSOR_MAX_RETRIES = 1000;
/**
 * A record this old is given up too: 6 h, well inside the stream's retention,
 * so the records a failure message names can still be read and replayed for
 * the 18 h after.
 */
const PROCESSOR_MAX_RECORD_AGE_S = 6 * 3600;
/** SQS's maximum (14 days): a failure message must outlive any weekend. */
const FAILURE_QUEUE_RETENTION_S = 14 * 24 * 3600;

export const FUNCTIONS = {
  processor: { logicalId: "PartitionProcessor", handler: "handlers.partition", timeout: PROCESSOR_TIMEOUT_S },
  timer: { logicalId: "TimerTick", handler: "handlers.timer", timeout: TIMER_TIMEOUT_S },
  client: { logicalId: "ClientApi", handler: "handlers.client", timeout: CLIENT_TIMEOUT_S },
  activity: { logicalId: "ActivityWorker", handler: "handlers.activity", timeout: ACTIVITY_TIMEOUT_S },
} as const;

/** IAM actions each function's code calls; resources are attached per statement below. */
export const ACTIONS = {
  kinesisRead: [
    "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator",
    "kinesis:ListShards",
  ],
  kinesisWrite: ["kinesis:PutRecords", "kinesis:DescribeStreamSummary", "kinesis:ListShards"],
  partitionsTable: [
    "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem", "dynamodb:Query", "dynamodb:BatchWriteItem",
  ],
  statusWrite: ["dynamodb:DescribeTable", "dynamodb:PutItem"],
  statusRead: ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Scan"],
  /** readEntity: the checkpointed object plus the commits after the checkpoint. */
  partitionsRead: ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query"],
  logs: ["logs:CreateLogStream", "logs:PutLogEvents"],
  /** The event source mapping sends the description of a batch it gave up on with the processor's role. */
  failureQueue: ["sqs:SendMessage"],
} as const;

const getAtt = (id: string, attr: string): Json => ({ "Fn::GetAtt": [id, attr] });
const ref = (id: string): Json => ({ Ref: id });
const sub = (s: string): Json => ({ "Fn::Sub": s });

function tableResource(spec: ReturnType<typeof partitionsTableSpec>): Json {
  return {
    Type: "AWS::DynamoDB::Table",
    DeletionPolicy: "Retain", // instance state outlives the stack unless deleted on purpose
    UpdateReplacePolicy: "Retain",
    Properties: {
      TableName: spec.TableName!,
      BillingMode: spec.BillingMode!,
      AttributeDefinitions: spec.AttributeDefinitions as unknown as Json,
      KeySchema: spec.KeySchema as unknown as Json,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    },
  };
}

function role(statements: Json[], logGroupId: string): Json {
  return {
    Type: "AWS::IAM::Role",
    Properties: {
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      },
      Policies: [{
        PolicyName: "nwc",
        PolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            ...statements,
            { Effect: "Allow", Action: [...ACTIONS.logs], Resource: [sub(`\${${logGroupId}.Arn}`), sub(`\${${logGroupId}.Arn}:*`)] },
          ],
        },
      }],
    },
  };
}

export function generateTemplate(options: TemplateOptions): { [key: string]: Json } {
  const { name, partitions } = options;
  if (!/^[a-zA-Z][a-zA-Z0-9-]{0,40}$/.test(name)) throw new TypeError(`deploy: the name must be 1-41 letters, digits or '-', starting with a letter; got ${JSON.stringify(name)}`);
  if (!(Number.isInteger(partitions) && partitions >= 1 && partitions <= MAX_PARTITIONS)) {
    throw new RangeError(`deploy: --partitions must be an integer from 1 to ${MAX_PARTITIONS}, got ${partitions}`);
  }
  const tablePrefix = `${name}-`;
  const partitionsTable = partitionsTableSpec(`${tablePrefix}partitions`);
  const statusTable = statusTableSpec(`${tablePrefix}status`);
  const streamArn = getAtt("Stream", "Arn");
  const partitionsArn = getAtt("PartitionsTable", "Arn");
  const statusArn = getAtt("StatusTable", "Arn");

  const environment = {
    Variables: {
      NWC_STREAM: ref("Stream"),
      NWC_TABLE_PREFIX: tablePrefix,
      NWC_PARTITIONS: String(partitions),
      NODE_OPTIONS: "--enable-source-maps",
    },
  };
  const fn = (f: (typeof FUNCTIONS)[keyof typeof FUNCTIONS], roleId: string, extraEnv: { [k: string]: Json } = {}): Json => ({
    Type: "AWS::Lambda::Function",
    DependsOn: [`${f.logicalId}Logs`],
    Properties: {
      FunctionName: `${name}-${f.logicalId}`,
      Runtime: "nodejs20.x",
      Architectures: ["arm64"],
      Handler: f.handler,
      Code: { S3Bucket: ref("CodeBucket"), S3Key: ref("CodeKey") },
      Role: getAtt(roleId, "Arn"),
      MemorySize: options.memoryMb ?? 1024,
      Timeout: f.timeout,
      Environment: { Variables: { ...environment.Variables, ...extraEnv } },
    },
  });
  const logGroup = (f: (typeof FUNCTIONS)[keyof typeof FUNCTIONS]): Json => ({
    Type: "AWS::Logs::LogGroup",
    Properties: { LogGroupName: `/aws/lambda/${name}-${f.logicalId}`, RetentionInDays: LOG_RETENTION_DAYS },
  });

  const resources: { [key: string]: Json } = {
    Stream: {
      Type: "AWS::Kinesis::Stream",
      Properties: {
        Name: name,
        ShardCount: partitions, // one shard per partition: partition i is the i-th shard in hash-key order
        StreamModeDetails: { StreamMode: "PROVISIONED" }, // on-demand would split shards and move partitions
        RetentionPeriodHours: STREAM_RETENTION_HOURS,
        // Encrypted at rest with the AWS-managed key: its key policy admits every principal allowed to use the stream.
        StreamEncryption: { EncryptionType: "KMS", KeyId: "alias/aws/kinesis" },
      },
    },
    PartitionsTable: tableResource(partitionsTable),
    StatusTable: tableResource(statusTable),

    [`${FUNCTIONS.processor.logicalId}Logs`]: logGroup(FUNCTIONS.processor),
    [`${FUNCTIONS.timer.logicalId}Logs`]: logGroup(FUNCTIONS.timer),
    [`${FUNCTIONS.client.logicalId}Logs`]: logGroup(FUNCTIONS.client),
    [`${FUNCTIONS.activity.logicalId}Logs`]: logGroup(FUNCTIONS.activity),

    // The processor reads its shard (through the event source mapping), sends to other partitions,
    // and owns the partition's commit log, checkpoints, lease and status index.
    ProcessorRole: role([
      { Effect: "Allow", Action: [...ACTIONS.kinesisRead, "kinesis:PutRecords"], Resource: streamArn },
      { Effect: "Allow", Action: [...ACTIONS.partitionsTable], Resource: partitionsArn },
      { Effect: "Allow", Action: [...ACTIONS.statusWrite], Resource: statusArn },
      { Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: getAtt(FUNCTIONS.activity.logicalId, "Arn") },
      { Effect: "Allow", Action: [...ACTIONS.failureQueue], Resource: getAtt("ProcessorFailures", "Arn") },
    ], `${FUNCTIONS.processor.logicalId}Logs`),
    // The activity worker runs user code: it gets no access to nwc's data, only its logs
    // (grant what your activities need by adding statements to this role).
    ActivityRole: role([], `${FUNCTIONS.activity.logicalId}Logs`),
    // The timer tick only wakes partitions: one small record per shard.
    TimerRole: role([
      { Effect: "Allow", Action: [...ACTIONS.kinesisWrite], Resource: streamArn },
    ], `${FUNCTIONS.timer.logicalId}Logs`),
    // Client operations: send requests to partitions, read the status index and entity states.
    ClientRole: role([
      { Effect: "Allow", Action: [...ACTIONS.kinesisWrite], Resource: streamArn },
      { Effect: "Allow", Action: [...ACTIONS.statusRead], Resource: statusArn },
      { Effect: "Allow", Action: [...ACTIONS.partitionsRead], Resource: partitionsArn },
    ], `${FUNCTIONS.client.logicalId}Logs`),

    [FUNCTIONS.processor.logicalId]: fn(FUNCTIONS.processor, "ProcessorRole", { NWC_ACTIVITY_FUNCTION: ref(FUNCTIONS.activity.logicalId) }),
    [FUNCTIONS.activity.logicalId]: fn(FUNCTIONS.activity, "ActivityRole"),
    [FUNCTIONS.timer.logicalId]: fn(FUNCTIONS.timer, "TimerRole"),
    [FUNCTIONS.client.logicalId]: fn(FUNCTIONS.client, "ClientRole"),

    ProcessorEventSource: {
      Type: "AWS::Lambda::EventSourceMapping",
      Properties: {
        EventSourceArn: streamArn,
        FunctionName: ref(FUNCTIONS.processor.logicalId),
        StartingPosition: "TRIM_HORIZON",
        BatchSize: options.batchSize ?? 100,
        MaximumBatchingWindowInSeconds: 0,
        ParallelizationFactor: 1, // one invocation per shard at a time: a partition is processed by one worker, in order
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        MaximumRetryAttempts: PROCESSOR_MAX_RETRIES,
        MaximumRecordAgeInSeconds: PROCESSOR_MAX_RECORD_AGE_S,
        // A batch given up on is never dropped silently: its shard and sequence range go to this queue.
        DestinationConfig: { OnFailure: { Destination: getAtt("ProcessorFailures", "Arn") } },
      },
    },
    ProcessorFailures: {
      Type: "AWS::SQS::Queue",
      Properties: {
        QueueName: `${name}-processor-failures`,
        MessageRetentionPeriod: FAILURE_QUEUE_RETENTION_S,
        SqsManagedSseEnabled: true, // encrypted at rest with an SQS-owned key: senders need no KMS grant
      },
    },

    TimerSchedule: {
      Type: "AWS::Events::Rule",
      Properties: {
        ScheduleExpression: options.timerSchedule ?? "rate(1 minute)",
        State: "ENABLED",
        Targets: [{ Id: "timer-tick", Arn: getAtt(FUNCTIONS.timer.logicalId, "Arn") }],
      },
    },
    TimerSchedulePermission: {
      Type: "AWS::Lambda::Permission",
      Properties: {
        Action: "lambda:InvokeFunction",
        FunctionName: ref(FUNCTIONS.timer.logicalId),
        Principal: "events.amazonaws.com",
        SourceArn: getAtt("TimerSchedule", "Arn"),
      },
    },
  };

  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `nwc workflows "${name}": ${partitions} partitions (Kinesis shards), DynamoDB commit log and status, Lambda workers`,
    Parameters: {
      CodeBucket: { Type: "String", Description: "S3 bucket holding the Lambda bundle (nwc deploy uploads it)" },
      CodeKey: { Type: "String", Description: "S3 key of the Lambda bundle zip" },
    },
    Resources: resources,
    Outputs: {
      StreamName: { Value: ref("Stream") },
      TablePrefix: { Value: tablePrefix },
      Partitions: { Value: String(partitions) },
      ClientFunction: { Value: ref(FUNCTIONS.client.logicalId) },
      ProcessorFailuresQueue: { Value: ref("ProcessorFailures"), Description: "batches the partition processor gave up on (shard and sequence numbers)" },
    },
  };
}
