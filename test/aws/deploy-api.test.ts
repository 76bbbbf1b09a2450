// `nwc deploy --target aws` without --dry-run, as far as it can be tested
// without an AWS account: the real SDK clients, with a middleware that records
// every request (command and input) and answers it the way CloudFormation and
// S3 do, so the exact sequence of requests is checked: the stack looked up,
// the code uploaded, the stack created or updated, its status polled until it
// settles, and on failure the failed resources' reasons reported. Every S3
// request names the account that must own the bucket (STS GetCallerIdentity's,
// or --bucket-owner).
// The real endpoints are not reachable from here; what they would answer is
// scripted from the CloudFormation API reference.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import { run as runDeploy } from "../../cli/commands/deploy.ts";
import { codeKey, deployStack, TEMPLATE_BODY_MAX_BYTES, type DeployClients } from "../../deploy/cloudformation.ts";
import { generateTemplate } from "../../deploy/template.ts";

const out = mkdtempSync(join(tmpdir(), "nwc-deploy-api-"));
test.after(() => rmSync(out, { recursive: true, force: true }));

type Request = { command: string; input: any };
type Answer = (request: Request, earlier: Request[]) => unknown;

/** The caller's account, as STS GetCallerIdentity answers it in these tests. */
const ACCOUNT = "111122223333";

/** Real clients whose requests never leave the process: `answer` plays the service (STS answers ACCOUNT). */
function fakeAws(answer: Answer): { clients: DeployClients; requests: Request[] } {
  const requests: Request[] = [];
  const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "example" };
  const clients = {
    cloudformation: new CloudFormationClient({ region: "eu-west-1", credentials, maxAttempts: 1 }),
    s3: new S3Client({ region: "eu-west-1", credentials, maxAttempts: 1 }),
    sts: new STSClient({ region: "eu-west-1", credentials, maxAttempts: 1 }),
  };
  for (const client of [clients.cloudformation, clients.s3, clients.sts]) {
    (client.middlewareStack as any).add((_next: unknown, context: { commandName: string }) => async (args: { input: unknown }) => {
      const request = { command: context.commandName.replace(/Command$/, ""), input: args.input };
      const earlier = [...requests];
      requests.push(request);
      const output = request.command === "GetCallerIdentity" ? { Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/dev`, UserId: "AIDEXAMPLE" } : answer(request, earlier);
      return { output: { $metadata: { httpStatusCode: 200 }, ...(output as object) }, response: {} };
    }, { step: "initialize", name: "fakeAws" });
  }
  return { clients, requests };
}

const validationError = (message: string) => Object.assign(new Error(message), { name: "ValidationError", $fault: "client", $metadata: {} });
const stack = (status: string, outputs: Record<string, string> = {}) => ({
  Stacks: [{ StackName: "shop", StackStatus: status, Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }],
});

/** DescribeStacks answers: before CreateStack/UpdateStack, `before`; after it, the next of `after` (the last repeats). */
function stackAnswers(before: string | undefined, after: string[], outputs: Record<string, string> = {}) {
  return (request: Request, earlier: Request[]) => {
    const changed = earlier.findIndex((r) => r.command === "CreateStack" || r.command === "UpdateStack");
    if (changed < 0) {
      if (before === undefined) throw validationError("Stack with id shop does not exist");
      return stack(before, outputs);
    }
    const polls = earlier.slice(changed).filter((r) => r.command === "DescribeStacks").length;
    return stack(after[Math.min(polls, after.length - 1)], outputs);
  };
}

async function cli(args: string[], clients: DeployClients): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [], stderr: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => void stdout.push(a.join(" "));
  console.error = (...a: unknown[]) => void stderr.push(a.join(" "));
  try {
    const code = await runDeploy(args, { clients, pollIntervalMs: 1 });
    return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

const DEPLOY = ["--target", "aws", "--partitions", "3", "--name", "shop", "--bucket", "code-bucket", "--region", "eu-west-1"];

test("a new stack: look-up, code upload, CreateStack with the written template, polls until CREATE_COMPLETE", async () => {
  const dir = join(out, "create");
  const describe = stackAnswers(undefined, ["CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE"], { StreamName: "shop" });
  const aws = fakeAws((r, earlier) => (r.command === "DescribeStacks" ? describe(r, earlier) : r.command === "CreateStack" ? { StackId: "arn:stack/shop" } : {}));
  const res = await cli([...DEPLOY, "--out", dir], aws.clients);
  assert.is(res.code, 0, res.stderr);
  assert.equal(aws.requests.map((r) => r.command), ["DescribeStacks", "GetCallerIdentity", "PutObject", "CreateStack", "DescribeStacks", "DescribeStacks", "DescribeStacks"]);
  const zip = readFileSync(join(dir, "code.zip"));
  const [, , put, create] = aws.requests;
  assert.is(put.input.Bucket, "code-bucket");
  assert.is(put.input.ExpectedBucketOwner, ACCOUNT, "S3 refuses the upload unless the caller's own account owns the bucket");
  assert.is(put.input.Key, codeKey("shop", zip));
  assert.match(put.input.Key, /^nwc\/shop\/code-[0-9a-f]{16}\.zip$/);
  assert.ok(Buffer.from(put.input.Body).equals(zip), "the uploaded body is the written code.zip");
  assert.is(create.input.StackName, "shop");
  assert.equal(JSON.parse(create.input.TemplateBody), JSON.parse(readFileSync(join(dir, "template.json"), "utf8")));
  assert.equal(create.input.Parameters, [{ ParameterKey: "CodeBucket", ParameterValue: "code-bucket" }, { ParameterKey: "CodeKey", ParameterValue: put.input.Key }]);
  assert.equal(create.input.Capabilities, ["CAPABILITY_IAM"]);
  assert.match(res.stdout, /stack shop: CREATE_COMPLETE/);
  assert.match(res.stdout, /StreamName = shop/);
});

test("an existing stack: UpdateStack with the new code key, polls through cleanup until UPDATE_COMPLETE", async () => {
  const describe = stackAnswers("CREATE_COMPLETE", ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"]);
  const aws = fakeAws((r, earlier) => (r.command === "DescribeStacks" ? describe(r, earlier) : {}));
  const codeZip = new Uint8Array([1, 2, 3]);
  const result = await deployStack({ stackName: "shop", region: "eu-west-1", bucket: "b", template: { Resources: {} }, codeZip, clients: aws.clients, pollIntervalMs: 1 }, () => undefined);
  assert.equal(aws.requests.map((r) => r.command), ["DescribeStacks", "GetCallerIdentity", "PutObject", "UpdateStack", "DescribeStacks", "DescribeStacks", "DescribeStacks"]);
  assert.equal(aws.requests[3].input.Parameters[1], { ParameterKey: "CodeKey", ParameterValue: codeKey("shop", codeZip) });
  assert.equal(result, { status: "UPDATE_COMPLETE", outputs: {}, failures: [] });
});

test("an unchanged stack: 'No updates are to be performed' is success, without polling", async () => {
  const aws = fakeAws((r) => {
    if (r.command === "DescribeStacks") return stack("UPDATE_COMPLETE", { StreamName: "shop" });
    if (r.command === "UpdateStack") throw validationError("No updates are to be performed.");
    return {};
  });
  const result = await deployStack({ stackName: "shop", region: "eu-west-1", bucket: "b", template: {}, codeZip: new Uint8Array(1), clients: aws.clients, pollIntervalMs: 1 }, () => undefined);
  assert.equal(aws.requests.map((r) => r.command), ["DescribeStacks", "GetCallerIdentity", "PutObject", "UpdateStack"]);
  assert.equal(result, { status: "UPDATE_COMPLETE", outputs: { StreamName: "shop" }, failures: [] });
});

test("a failed creation: exit 1 with the failed resources' reasons of this operation, the cause first", async () => {
  const describe = stackAnswers(undefined, ["CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE"]);
  const event = (LogicalResourceId: string, ResourceType: string, ResourceStatus: string, ResourceStatusReason?: string) =>
    ({ LogicalResourceId, ResourceType, ResourceStatus, ResourceStatusReason });
  const aws = fakeAws((r, earlier) => {
    if (r.command === "DescribeStacks") return describe(r, earlier);
    if (r.command === "DescribeStackEvents") {
      // Newest first, as CloudFormation lists them; the last two belong to an earlier operation.
      return {
        StackEvents: [
          event("shop", "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE"),
          event("Stream", "AWS::Kinesis::Stream", "DELETE_COMPLETE"),
          event("shop", "AWS::CloudFormation::Stack", "ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [Stream, PartitionsTable]."),
          event("Stream", "AWS::Kinesis::Stream", "CREATE_FAILED", "Resource creation cancelled"),
          event("PartitionsTable", "AWS::DynamoDB::Table", "CREATE_FAILED", "shop-partitions already exists in stack arn:old"),
          event("shop", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated"),
          event("Old", "AWS::Lambda::Function", "CREATE_FAILED", "from another operation"),
        ],
      };
    }
    return {};
  });
  const res = await cli([...DEPLOY, "--out", join(out, "failed")], aws.clients);
  assert.is(res.code, 1);
  assert.equal(aws.requests.map((r) => r.command), ["DescribeStacks", "GetCallerIdentity", "PutObject", "CreateStack", "DescribeStacks", "DescribeStacks", "DescribeStacks", "DescribeStackEvents"]);
  assert.match(res.stdout, /stack shop: ROLLBACK_COMPLETE/);
  const failed = res.stderr.split("\n").filter((l) => l.includes("failed:"));
  assert.equal(failed, [
    "  failed: PartitionsTable (AWS::DynamoDB::Table): shop-partitions already exists in stack arn:old",
    "  failed: Stream (AWS::Kinesis::Stream): Resource creation cancelled",
  ]);
});

test("a stack that cannot be updated is refused before anything is uploaded, saying what to do", async () => {
  for (const [status, pattern] of [
    ["ROLLBACK_COMPLETE", /its creation failed.*delete-stack --stack-name shop/],
    ["UPDATE_IN_PROGRESS", /another operation is running/],
  ] as const) {
    const aws = fakeAws((r) => (r.command === "DescribeStacks" ? stack(status) : {}));
    const res = await cli([...DEPLOY, "--out", join(out, "refused")], aws.clients);
    assert.is(res.code, 1);
    assert.equal(aws.requests.map((r) => r.command), ["DescribeStacks"]);
    assert.match(res.stderr, pattern);
  }
});

test("a template over the inline limit goes to S3 and is passed as TemplateURL", async () => {
  const template = { ...generateTemplate({ name: "shop", partitions: 3 }), Metadata: { padding: "x".repeat(TEMPLATE_BODY_MAX_BYTES) } };
  const describe = stackAnswers(undefined, ["CREATE_COMPLETE"]);
  const aws = fakeAws((r, earlier) => (r.command === "DescribeStacks" ? describe(r, earlier) : {}));
  await deployStack({ stackName: "shop", region: "eu-west-1", bucket: "b", template, codeZip: new Uint8Array(1), clients: aws.clients, pollIntervalMs: 1 }, () => undefined);
  assert.equal(aws.requests.map((r) => r.command), ["DescribeStacks", "GetCallerIdentity", "PutObject", "PutObject", "CreateStack", "DescribeStacks"]);
  const templatePut = aws.requests[3].input;
  assert.equal(JSON.parse(templatePut.Body), template);
  assert.equal(aws.requests.filter((r) => r.command === "PutObject").map((r) => r.input.ExpectedBucketOwner), [ACCOUNT, ACCOUNT], "every S3 call names the owner");
  const create = aws.requests[4].input;
  assert.is(create.TemplateBody, undefined);
  assert.is(create.TemplateURL, `https://b.s3.eu-west-1.amazonaws.com/${templatePut.Key}`);
});

test("the generated template is far below the inline limit, whatever the partition count", () => {
  for (const partitions of [1, 64, 500]) {
    assert.ok(JSON.stringify(generateTemplate({ name: "shop", partitions })).length < TEMPLATE_BODY_MAX_BYTES / 2);
  }
});

test("an S3 or CloudFormation error ends the deploy with its message, exit 1", async () => {
  const aws = fakeAws((r) => {
    if (r.command === "DescribeStacks") throw validationError("Stack with id shop does not exist");
    if (r.command === "PutObject") throw Object.assign(new Error("The specified bucket does not exist"), { name: "NoSuchBucket", $metadata: {} });
    return {};
  });
  const res = await cli([...DEPLOY, "--out", join(out, "nobucket")], aws.clients);
  assert.is(res.code, 1);
  assert.equal(aws.requests.map((r) => r.command), ["DescribeStacks", "GetCallerIdentity", "PutObject"]);
  assert.match(res.stderr, /nwc deploy: The specified bucket does not exist/);
});

test("--bucket-owner names the owning account: no STS call, and every upload carries it", async () => {
  const describe = stackAnswers(undefined, ["CREATE_COMPLETE"]);
  const aws = fakeAws((r, earlier) => (r.command === "DescribeStacks" ? describe(r, earlier) : {}));
  const res = await cli([...DEPLOY, "--bucket-owner", "444455556666", "--out", join(out, "owner")], aws.clients);
  assert.is(res.code, 0, res.stderr);
  assert.equal(aws.requests.map((r) => r.command), ["DescribeStacks", "PutObject", "CreateStack", "DescribeStacks"]);
  assert.is(aws.requests[1].input.ExpectedBucketOwner, "444455556666");
  assert.match(res.stdout, /bucket owner 444455556666/);
});

test("a bucket of another account: S3's 403 becomes an error that names the owner check", async () => {
  const aws = fakeAws((r) => {
    if (r.command === "DescribeStacks") throw validationError("Stack with id shop does not exist");
    // What S3 answers when ExpectedBucketOwner is not the bucket's owner.
    if (r.command === "PutObject") throw Object.assign(new Error("Access Denied"), { name: "AccessDenied", $fault: "client", $metadata: { httpStatusCode: 403 } });
    return {};
  });
  const res = await cli([...DEPLOY, "--bucket", "someone-elses-bucket", "--out", join(out, "foreign")], aws.clients);
  assert.is(res.code, 1);
  assert.equal(aws.requests.map((r) => r.command), ["DescribeStacks", "GetCallerIdentity", "PutObject"]);
  assert.match(res.stderr, new RegExp(`bucket someone-elses-bucket .*not owned by account ${ACCOUNT}.*--bucket-owner`));
  assert.not.ok(aws.requests.some((r) => r.command === "CreateStack"), "nothing is created without the code");
});

test("a malformed --bucket-owner is refused before any request", async () => {
  const aws = fakeAws(() => ({}));
  const res = await cli([...DEPLOY, "--bucket-owner", "12345", "--out", join(out, "badowner")], aws.clients);
  assert.is(res.code, 2);
  assert.match(res.stderr, /--bucket-owner must be a 12-digit AWS account id, got "12345"/);
  assert.equal(aws.requests, []);
});

test.run();
