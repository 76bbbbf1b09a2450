/**
 * Deploys the template through the CloudFormation API: uploads the code zip to
 * S3 (content-addressed key), then CreateStack or UpdateStack and waits for the
 * stack to settle. Invariant: without usable AWS credentials nothing is called
 * past the credential check, and the error says how to provide them.
 */
import { createHash } from "node:crypto";
import {
  CloudFormationClient, CreateStackCommand, DescribeStacksCommand, UpdateStackCommand,
  waitUntilStackCreateComplete, waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

export interface DeployOptions {
  stackName: string;
  region: string;
  bucket: string;
  template: object;
  codeZip: Uint8Array;
}

/** CloudFormation stacks with tables and a stream take minutes; 30 minutes means something is stuck. */
const STACK_WAIT_SECONDS = 30 * 60;

export async function deployStack(options: DeployOptions, log: (line: string) => void): Promise<{ status: string; outputs: Record<string, string> }> {
  const cfn = new CloudFormationClient({ region: options.region });
  try {
    await cfn.config.credentials();
  } catch (error) {
    throw new Error(
      `deploy: no AWS credentials found (${(error as Error).message}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --dry-run to only write the bundle and template`,
    );
  }
  const key = `nwc/${options.stackName}/code-${createHash("sha256").update(options.codeZip).digest("hex").slice(0, 16)}.zip`;
  const s3 = new S3Client({ region: options.region });
  log(`uploading code to s3://${options.bucket}/${key}`);
  await s3.send(new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: options.codeZip }));
  const params = {
    StackName: options.stackName,
    TemplateBody: JSON.stringify(options.template),
    Parameters: [{ ParameterKey: "CodeBucket", ParameterValue: options.bucket }, { ParameterKey: "CodeKey", ParameterValue: key }],
    Capabilities: ["CAPABILITY_IAM" as const],
  };
  let exists = true;
  try {
    await cfn.send(new DescribeStacksCommand({ StackName: options.stackName }));
  } catch (error) {
    if (!/does not exist/.test((error as Error).message)) throw error;
    exists = false;
  }
  if (!exists) {
    log(`creating stack ${options.stackName}`);
    await cfn.send(new CreateStackCommand(params));
    await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: STACK_WAIT_SECONDS }, { StackName: options.stackName });
  } else {
    log(`updating stack ${options.stackName}`);
    try {
      await cfn.send(new UpdateStackCommand(params));
      await waitUntilStackUpdateComplete({ client: cfn, maxWaitTime: STACK_WAIT_SECONDS }, { StackName: options.stackName });
    } catch (error) {
      if (!/No updates are to be performed/.test((error as Error).message)) throw error;
      log("stack already up to date");
    }
  }
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: options.stackName }));
  const stack = Stacks?.[0];
  const outputs: Record<string, string> = {};
  for (const o of stack?.Outputs ?? []) if (o.OutputKey) outputs[o.OutputKey] = o.OutputValue ?? "";
  return { status: stack?.StackStatus ?? "UNKNOWN", outputs };
}
