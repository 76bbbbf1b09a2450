/**
 * Deploys the template through the CloudFormation API. The requests, in order:
 *
 *   1. DescribeStacks           does the stack exist, and may it be changed now?
 *      GetCallerIdentity (STS)  the account that must own the bucket (skipped
 *                               when --bucket-owner names it)
 *   2. PutObject (S3)           the code zip, under a content-addressed key
 *      PutObject (S3)           the template too, when it is over the 51,200
 *                               bytes CreateStack accepts inline (TemplateURL)
 *   3. CreateStack | UpdateStack  (CAPABILITY_IAM: the template makes roles)
 *   4. DescribeStacks ...       every `pollIntervalMs` until the status settles
 *   5. DescribeStackEvents      only when it settled in a failed state: the reasons
 *
 * Invariants: without usable AWS credentials nothing is called past the
 * credential check, and the error says how to provide them; a stack that
 * cannot be updated (an operation in progress, a failed creation) is refused
 * before anything is uploaded, with what to do; the wait is bounded; every
 * S3 request carries ExpectedBucketOwner, so a mistyped bucket name that
 * happens to exist in someone else's account is refused by S3 instead of
 * receiving the code.
 */
import { createHash } from "node:crypto";
import {
  CloudFormationClient, CreateStackCommand, DescribeStackEventsCommand, DescribeStacksCommand, UpdateStackCommand,
  type Stack,
} from "@aws-sdk/client-cloudformation";
import { PutObjectCommand, S3Client, type PutObjectCommandInput } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

export interface DeployClients {
  cloudformation: CloudFormationClient;
  s3: S3Client;
  sts: STSClient;
}

export interface DeployOptions {
  stackName: string;
  region: string;
  /** An existing S3 bucket in `region` (Lambda reads its code from the function's region). */
  bucket: string;
  /** The 12-digit account that must own `bucket`; default: the caller's own account (STS GetCallerIdentity). */
  bucketOwner?: string;
  template: object;
  codeZip: Uint8Array;
  /** Clients to use (tests answer their requests with middleware); default: new clients for `region`. */
  clients?: DeployClients;
  /** Between two DescribeStacks while the stack changes (default 10 s). */
  pollIntervalMs?: number;
}

export interface DeployResult {
  status: string;
  outputs: Record<string, string>;
  /** "<logical id> (<type>): <reason>" of each resource that failed, when the stack did not settle in a *_COMPLETE state. */
  failures: string[];
}

/** CreateStack and UpdateStack take at most 51,200 bytes of TemplateBody; larger templates go through S3. */
export const TEMPLATE_BODY_MAX_BYTES = 51_200;
/** CloudFormation stacks with tables and a stream take minutes; 30 minutes means something is stuck. */
const STACK_WAIT_MS = 30 * 60_000;
/** CloudFormation's own waiters poll every 30 s; 10 s reports progress sooner at a negligible request rate. */
const DEFAULT_POLL_INTERVAL_MS = 10_000;
/** Failure reasons reported: the first few name the cause, the rest are cascades ("Resource creation cancelled"). */
const MAX_REPORTED_FAILURES = 10;
/** DescribeStackEvents pages read for the reasons: 100 events each, newest first, enough for one operation. */
const MAX_EVENT_PAGES = 5;

export function isSettled(status: string): boolean {
  return !status.endsWith("_IN_PROGRESS");
}

export function isSuccess(status: string): boolean {
  return status === "CREATE_COMPLETE" || status === "UPDATE_COMPLETE";
}

/** `nwc/<stack>/<kind>-<first 16 hex digits of sha256>.<ext>`: a new key whenever the content changes. */
function contentKey(stackName: string, kind: string, content: Uint8Array | string, ext: string): string {
  return `nwc/${stackName}/${kind}-${createHash("sha256").update(content).digest("hex").slice(0, 16)}.${ext}`;
}

export function codeKey(stackName: string, codeZip: Uint8Array): string {
  return contentKey(stackName, "code", codeZip, "zip");
}

export async function deployStack(options: DeployOptions, log: (line: string) => void): Promise<DeployResult> {
  const { stackName, region, bucket } = options;
  const cfn = options.clients?.cloudformation ?? new CloudFormationClient({ region });
  const s3 = options.clients?.s3 ?? new S3Client({ region });
  const pollMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  try {
    await cfn.config.credentials();
  } catch (error) {
    throw new Error(
      `deploy: no AWS credentials found (${(error as Error).message}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --dry-run to only write the bundle and template`,
    );
  }

  const existing = await describeStack(cfn, stackName);
  if (existing) {
    const status = existing.StackStatus ?? "UNKNOWN";
    if (!isSettled(status)) {
      throw new Error(`deploy: stack ${stackName} is ${status}: another operation is running; deploy again once it has finished`);
    }
    if (status === "ROLLBACK_COMPLETE" || status === "ROLLBACK_FAILED" || status === "DELETE_FAILED") {
      throw new Error(
        `deploy: stack ${stackName} is ${status} (${status === "DELETE_FAILED" ? "its deletion failed" : "its creation failed"}) and cannot be updated; delete it (aws cloudformation delete-stack --stack-name ${stackName}; the tables are retained) and deploy again`,
      );
    }
  }

  const owner = options.bucketOwner ?? (await callerAccount(options.clients?.sts ?? new STSClient({ region })));
  if (!ACCOUNT_ID.test(owner)) throw new Error(`deploy: the bucket owner must be a 12-digit AWS account id, got ${JSON.stringify(owner)}`);
  const put = (input: Omit<PutObjectCommandInput, "Bucket" | "ExpectedBucketOwner">) => putObject(s3, { ...input, Bucket: bucket, ExpectedBucketOwner: owner });
  const key = codeKey(stackName, options.codeZip);
  log(`uploading code to s3://${bucket}/${key} (bucket owner ${owner})`);
  await put({ Key: key, Body: options.codeZip });
  const templateText = JSON.stringify(options.template);
  let template: { TemplateBody: string } | { TemplateURL: string } = { TemplateBody: templateText };
  if (Buffer.byteLength(templateText) > TEMPLATE_BODY_MAX_BYTES) {
    const templateKey = contentKey(stackName, "template", templateText, "json");
    log(`template is over ${TEMPLATE_BODY_MAX_BYTES} bytes: uploading it to s3://${bucket}/${templateKey}`);
    await put({ Key: templateKey, Body: templateText, ContentType: "application/json" });
    template = { TemplateURL: `https://${bucket}.s3.${region}.amazonaws.com/${templateKey}` };
  }
  const params = {
    StackName: stackName,
    ...template,
    Parameters: [{ ParameterKey: "CodeBucket", ParameterValue: bucket }, { ParameterKey: "CodeKey", ParameterValue: key }],
    Capabilities: ["CAPABILITY_IAM" as const],
  };

  if (!existing) {
    log(`creating stack ${stackName}`);
    await cfn.send(new CreateStackCommand(params));
  } else {
    log(`updating stack ${stackName}`);
    try {
      await cfn.send(new UpdateStackCommand(params));
    } catch (error) {
      if (!/No updates are to be performed/.test((error as Error).message)) throw error;
      log("stack already up to date");
      return { status: existing.StackStatus ?? "UNKNOWN", outputs: outputsOf(existing), failures: [] };
    }
  }

  const deadline = performance.now() + STACK_WAIT_MS; // monotonic: a stepped wall clock must not stretch the wait
  let stack: Stack | undefined;
  let status = "";
  for (;;) {
    await new Promise((r) => setTimeout(r, pollMs));
    stack = await describeStack(cfn, stackName);
    const previous = status;
    status = stack?.StackStatus ?? "UNKNOWN";
    if (status !== previous) log(`stack ${stackName}: ${status}`);
    if (isSettled(status)) break;
    if (performance.now() > deadline) {
      throw new Error(`deploy: stack ${stackName} is still ${status} after ${STACK_WAIT_MS / 60_000} minutes; see the stack's events in the CloudFormation console`);
    }
  }
  const failures = isSuccess(status) ? [] : await failureReasons(cfn, stackName);
  return { status, outputs: outputsOf(stack), failures };
}

const ACCOUNT_ID = /^\d{12}$/;

async function callerAccount(sts: STSClient): Promise<string> {
  const { Account } = await sts.send(new GetCallerIdentityCommand({}));
  if (!Account) throw new Error("deploy: STS GetCallerIdentity returned no account; pass --bucket-owner <account id>");
  return Account;
}

/** PutObject; S3 answers 403 when ExpectedBucketOwner is not the bucket's owner: say which check failed. */
async function putObject(s3: S3Client, input: PutObjectCommandInput & { Bucket: string; ExpectedBucketOwner: string }): Promise<void> {
  try {
    await s3.send(new PutObjectCommand(input));
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; message: string };
    if (e.name !== "AccessDenied" && e.$metadata?.httpStatusCode !== 403) throw error;
    throw new Error(
      `deploy: S3 refused the upload to bucket ${input.Bucket} (${e.message}): it is not owned by account ${input.ExpectedBucketOwner}, or that account may not write to it; check --bucket, or name the owning account with --bucket-owner`,
    );
  }
}

async function describeStack(cfn: CloudFormationClient, stackName: string): Promise<Stack | undefined> {
  try {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    return Stacks?.[0];
  } catch (error) {
    if (/does not exist/.test((error as Error).message)) return undefined;
    throw error;
  }
}

function outputsOf(stack: Stack | undefined): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const o of stack?.Outputs ?? []) if (o.OutputKey) outputs[o.OutputKey] = o.OutputValue ?? "";
  return outputs;
}

/**
 * The failed resources of the latest operation, oldest first (the first is
 * usually the cause, the rest cascade). Events come newest first; the
 * operation begins at the stack's own "User Initiated" event (not a local
 * clock comparison, which skew would spoil).
 */
async function failureReasons(cfn: CloudFormationClient, stackName: string): Promise<string[]> {
  const failures: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_EVENT_PAGES; page++) {
    const out = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName, ...(token ? { NextToken: token } : {}) }));
    let begin = false;
    for (const e of out.StackEvents ?? []) {
      if (e.ResourceStatus?.endsWith("_FAILED") && e.ResourceStatusReason) {
        failures.push(`${e.LogicalResourceId} (${e.ResourceType}): ${e.ResourceStatusReason}`);
      }
      if (e.ResourceType === "AWS::CloudFormation::Stack" && e.ResourceStatusReason === "User Initiated") {
        begin = true;
        break;
      }
    }
    token = out.NextToken;
    if (begin || !token) break;
  }
  return failures.reverse().slice(0, MAX_REPORTED_FAILURES);
}
