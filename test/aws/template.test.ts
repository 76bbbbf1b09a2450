// The CloudFormation template of `nwc deploy --target aws`: every resource and
// property checked against what the functions' code needs, and least privilege
// (explicit actions only, resources scoped to the stream, the tables, the log groups).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ACTIONS, FUNCTIONS, generateTemplate } from "../../deploy/template.ts";

const template = generateTemplate({ name: "shop", partitions: 6 }) as any;
const R = template.Resources;

test("the stream has one shard per partition, provisioned (shards never split by themselves)", () => {
  assert.is(R.Stream.Type, "AWS::Kinesis::Stream");
  assert.is(R.Stream.Properties.ShardCount, 6);
  assert.is(R.Stream.Properties.Name, "shop");
  assert.equal(R.Stream.Properties.StreamModeDetails, { StreamMode: "PROVISIONED" });
});

test("the tables have the key schemas the store uses, and are retained on stack deletion", () => {
  assert.is(R.PartitionsTable.Properties.TableName, "shop-partitions");
  assert.equal(R.PartitionsTable.Properties.KeySchema, [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }]);
  assert.is(R.StatusTable.Properties.TableName, "shop-status");
  assert.equal(R.StatusTable.Properties.KeySchema, [{ AttributeName: "id", KeyType: "HASH" }]);
  for (const t of [R.PartitionsTable, R.StatusTable]) {
    assert.is(t.Properties.BillingMode, "PAY_PER_REQUEST");
    assert.is(t.DeletionPolicy, "Retain");
  }
});

test("the functions get the environment the handlers read, their own role, and the bundle", () => {
  for (const f of Object.values(FUNCTIONS)) {
    const fn = R[f.logicalId];
    assert.is(fn.Type, "AWS::Lambda::Function");
    assert.is(fn.Properties.Handler, f.handler);
    assert.is(fn.Properties.Runtime, "nodejs20.x");
    assert.equal(fn.Properties.Code, { S3Bucket: { Ref: "CodeBucket" }, S3Key: { Ref: "CodeKey" } });
    assert.equal(fn.Properties.Environment.Variables.NWC_STREAM, { Ref: "Stream" });
    assert.is(fn.Properties.Environment.Variables.NWC_TABLE_PREFIX, "shop-");
    assert.is(fn.Properties.Environment.Variables.NWC_PARTITIONS, "6");
    assert.ok(fn.Properties.Timeout <= 900);
    const roleId = fn.Properties.Role["Fn::GetAtt"][0];
    assert.is(R[roleId].Type, "AWS::IAM::Role");
    assert.equal(R[roleId].Properties.AssumeRolePolicyDocument.Statement[0].Principal, { Service: "lambda.amazonaws.com" });
  }
  // One role per function: none shares the processor's broad data access.
  const roles = Object.values(FUNCTIONS).map((f) => R[f.logicalId].Properties.Role["Fn::GetAtt"][0]);
  assert.is(new Set(roles).size, roles.length);
});

test("the event source mapping keeps one ordered worker per shard, bounds its retries and sends a batch it gives up on to a queue", () => {
  const esm = R.ProcessorEventSource;
  assert.is(esm.Type, "AWS::Lambda::EventSourceMapping");
  assert.equal(esm.Properties.EventSourceArn, { "Fn::GetAtt": ["Stream", "Arn"] });
  assert.equal(esm.Properties.FunctionName, { Ref: "PartitionProcessor" });
  assert.is(esm.Properties.ParallelizationFactor, 1);
  assert.is(esm.Properties.BisectBatchOnFunctionError, true);
  assert.equal(esm.Properties.FunctionResponseTypes, ["ReportBatchItemFailures"]);
  assert.is(esm.Properties.StartingPosition, "TRIM_HORIZON");
  // Bounded: a batch that fails for a bug cannot hold its shard forever.
  const { MaximumRetryAttempts: retries, MaximumRecordAgeInSeconds: age } = esm.Properties;
  assert.ok(Number.isInteger(retries) && retries >= 10 && retries <= 10_000, `MaximumRetryAttempts ${retries}`);
  assert.ok(Number.isInteger(age) && age >= 60 && age <= 604_800, `MaximumRecordAgeInSeconds ${age}`);
  // Given up while the stream still holds the records, so the failure message's range can be replayed.
  assert.ok(age < R.Stream.Properties.RetentionPeriodHours * 3600, "records are given up on before the stream drops them");
  assert.equal(esm.Properties.DestinationConfig, { OnFailure: { Destination: { "Fn::GetAtt": ["ProcessorFailures", "Arn"] } } });
  const queue = R.ProcessorFailures;
  assert.is(queue.Type, "AWS::SQS::Queue");
  assert.is(queue.Properties.QueueName, "shop-processor-failures");
  assert.is(queue.Properties.MessageRetentionPeriod, 1_209_600, "SQS's longest retention");
  assert.is(queue.Properties.SqsManagedSseEnabled, true);
  assert.equal(template.Outputs.ProcessorFailuresQueue.Value, { Ref: "ProcessorFailures" });
});

test("an EventBridge schedule invokes the timer function, and only it may", () => {
  assert.is(R.TimerSchedule.Type, "AWS::Events::Rule");
  assert.match(R.TimerSchedule.Properties.ScheduleExpression, /^rate\(/);
  assert.equal(R.TimerSchedule.Properties.Targets[0].Arn, { "Fn::GetAtt": ["TimerTick", "Arn"] });
  assert.equal(R.TimerSchedulePermission.Properties, {
    Action: "lambda:InvokeFunction", FunctionName: { Ref: "TimerTick" }, Principal: "events.amazonaws.com",
    SourceArn: { "Fn::GetAtt": ["TimerSchedule", "Arn"] },
  });
});

function statementsOf(roleId: string): any[] {
  return R[roleId].Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
}
/** Statements of any resource (none for resources without policies). */
const policyStatementsOf = (id: string): any[] => (R[id].Properties?.Policies ? statementsOf(id) : []);

test("least privilege: no wildcard action anywhere, every resource scoped", () => {
  const roles = Object.keys(R).filter((id) => R[id].Type === "AWS::IAM::Role");
  assert.is(roles.length, 4);
  for (const roleId of roles) {
    for (const s of statementsOf(roleId)) {
      assert.is(s.Effect, "Allow");
      for (const action of [s.Action].flat()) {
        assert.type(action, "string");
        assert.not.match(action, /\*/, `${roleId}: wildcard action ${action}`);
      }
      for (const resource of [s.Resource].flat()) {
        assert.is.not(resource, "*", `${roleId}: unscoped resource`);
        const text = JSON.stringify(resource);
        assert.ok(/"Stream"|"PartitionsTable"|"StatusTable"|"ActivityWorker"|"ProcessorFailures"|Logs\.Arn/.test(text), `${roleId}: resource ${text} is not the stream, a table, the failure queue or its log group`);
      }
    }
  }
});

test("each role grants exactly what its function's code calls", () => {
  const grants = (roleId: string, resource: string) =>
    statementsOf(roleId).filter((s) => JSON.stringify(s.Resource).includes(`"${resource}"`)).flatMap((s) => s.Action);
  // The processor: reads and writes the stream, owns the partitions table, writes the status index.
  for (const a of [...ACTIONS.kinesisRead, "kinesis:PutRecords"]) assert.ok(grants("ProcessorRole", "Stream").includes(a), a);
  for (const a of ["dynamodb:ConditionCheckItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:BatchWriteItem", "dynamodb:GetItem"]) {
    assert.ok(grants("ProcessorRole", "PartitionsTable").includes(a), a);
  }
  assert.equal(grants("ProcessorRole", "StatusTable"), ["dynamodb:DescribeTable", "dynamodb:PutItem"]);
  // The timer: only puts records.
  assert.equal(grants("TimerRole", "PartitionsTable"), []);
  assert.equal(grants("TimerRole", "StatusTable"), []);
  assert.not.ok(grants("TimerRole", "Stream").includes("kinesis:GetRecords"));
  // The client: sends and reads statuses, never writes tables.
  const clientTable = [...grants("ClientRole", "StatusTable"), ...grants("ClientRole", "PartitionsTable")];
  assert.not.ok(clientTable.some((a: string) => /Put|Update|Delete|BatchWrite/.test(a)));
  // Logs only to the function's own group.
  // The processor may invoke the activity worker, and nothing else; the worker (user code) gets no nwc data.
  assert.equal(grants("ProcessorRole", "ActivityWorker"), ["lambda:InvokeFunction"]);
  // Only the processor's role may send to the failure queue (the mapping sends with it), and only send.
  assert.equal(grants("ProcessorRole", "ProcessorFailures"), ["sqs:SendMessage"]);
  for (const roleId of ["TimerRole", "ClientRole", "ActivityRole"]) assert.equal(grants(roleId, "ProcessorFailures"), [], roleId);
  assert.not.ok(Object.keys(R).some((id) => policyStatementsOf(id).some((st) => [st.Action].flat().some((a: string) => a.startsWith("sqs:") && a !== "sqs:SendMessage"))));
  assert.equal(R.PartitionProcessor.Properties.Environment.Variables.NWC_ACTIVITY_FUNCTION, { Ref: "ActivityWorker" });
  assert.is(R.ActivityWorker.Properties.Environment.Variables.NWC_ACTIVITY_FUNCTION, undefined);
  assert.equal(statementsOf("ActivityRole").flatMap((s) => s.Action), ["logs:CreateLogStream", "logs:PutLogEvents"]);
  for (const [roleId, fn] of [["ProcessorRole", "PartitionProcessor"], ["TimerRole", "TimerTick"], ["ClientRole", "ClientApi"], ["ActivityRole", "ActivityWorker"]]) {
    const logs = statementsOf(roleId).find((s) => [s.Action].flat().includes("logs:PutLogEvents"));
    assert.ok(JSON.stringify(logs.Resource).includes(`${fn}Logs.Arn`));
    assert.is(R[`${fn}Logs`].Properties.LogGroupName, `/aws/lambda/shop-${fn}`);
  }
});

test("every reference in the template points at a defined resource or parameter", () => {
  const defined = new Set([...Object.keys(R), ...Object.keys(template.Parameters)]);
  const walk = (v: any) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === "object") {
      if (typeof v.Ref === "string" && !v.Ref.startsWith("AWS::")) assert.ok(defined.has(v.Ref), `Ref ${v.Ref}`);
      if (v["Fn::GetAtt"]) assert.ok(defined.has(v["Fn::GetAtt"][0]), `GetAtt ${v["Fn::GetAtt"][0]}`);
      if (typeof v["Fn::Sub"] === "string") {
        for (const m of v["Fn::Sub"].matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z]+)?\}/g)) assert.ok(defined.has(m[1]), `Sub ${m[1]}`);
      }
      if (Array.isArray(v.DependsOn)) v.DependsOn.forEach((d: string) => assert.ok(defined.has(d), `DependsOn ${d}`));
      Object.values(v).forEach(walk);
    }
  };
  walk(R);
});

test("bad options are refused with the reason", () => {
  assert.throws(() => generateTemplate({ name: "shop", partitions: 0 }), /--partitions must be an integer from 1 to 500/);
  assert.throws(() => generateTemplate({ name: "bad name", partitions: 2 }), /name must be/);
});

test.run();
