/**
 * `nwc deploy --target aws [--dry-run] [--out dir] [--partitions P] [--app file]
 * [--name stack] [--region r] [--bucket b] [--bucket-owner account] [--sources-content]`: builds the Lambda bundle and the
 * CloudFormation template (deploy/), writes them to --out, and without --dry-run
 * deploys them. This file only parses arguments and calls deploy/.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleLambda } from "../../deploy/bundle.ts";
import { deployStack, isSuccess, type DeployClients } from "../../deploy/cloudformation.ts";
import { generateTemplate } from "../../deploy/template.ts";
import { zip } from "../../deploy/zip.ts";

export const summary = "bundle the Lambda handlers and write/deploy the AWS template (--target aws [--dry-run])";

const USAGE = `usage: nwc deploy --target aws [--dry-run] [--out dir] [--partitions P] [--app file] [--name stack] [--region r] [--bucket b]
                  [--bucket-owner account] [--sources-content]

  --target aws     the only target (Kinesis + DynamoDB + Lambda)
  --dry-run        write the bundle and template to --out, deploy nothing
  --out dir        output folder (default .nwc/deploy)
  --partitions P   partitions = Kinesis shards (default 4)
  --app file       the module exporting your orchestrations, activities and entities
  --name stack     stack, stream and table-prefix name (default nwc)
  --region r       AWS region (default $AWS_REGION, else us-east-1)
  --bucket b       S3 bucket for the code package (required without --dry-run)
  --bucket-owner account
                   the 12-digit account that must own --bucket (default: your own, from STS);
                   S3 refuses the upload if the bucket belongs to anyone else
  --sources-content
                   embed the original sources in handlers.js.map (default: mappings only,
                   so the package does not carry your source code)`;

interface Args {
  target?: string;
  dryRun: boolean;
  out: string;
  partitions: number;
  app?: string;
  name: string;
  region: string;
  bucket?: string;
  bucketOwner?: string;
  sourcesContent: boolean;
}

const VALUE_FLAGS = new Set(["--target", "--out", "--partitions", "--app", "--name", "--region", "--bucket", "--bucket-owner"]);

function parse(args: string[]): Args | string {
  const a: Args = { dryRun: false, sourcesContent: false, out: ".nwc/deploy", partitions: 4, name: "nwc", region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1" };
  for (let i = 0; i < args.length; i++) {
    let flag = args[i];
    let value: string | undefined;
    if (flag.includes("=")) [flag, value] = [flag.slice(0, flag.indexOf("=")), flag.slice(flag.indexOf("=") + 1)];
    if (flag === "--dry-run" || flag === "--sources-content") {
      if (flag === "--dry-run") a.dryRun = true;
      else a.sourcesContent = true;
      continue;
    }
    if (!VALUE_FLAGS.has(flag)) return `unknown option ${JSON.stringify(flag)}`;
    value ??= args[++i];
    if (value === undefined || value.startsWith("--")) return `${flag} needs a value`;
    switch (flag) {
      case "--target": a.target = value; break;
      case "--out": a.out = value; break;
      case "--app": a.app = value; break;
      case "--name": a.name = value; break;
      case "--region": a.region = value; break;
      case "--bucket": a.bucket = value; break;
      case "--bucket-owner":
        if (!/^\d{12}$/.test(value)) return `--bucket-owner must be a 12-digit AWS account id, got ${JSON.stringify(value)}`;
        a.bucketOwner = value;
        break;
      case "--partitions":
        a.partitions = Number(value);
        if (!Number.isInteger(a.partitions) || a.partitions < 1) return `--partitions must be a positive integer, got ${JSON.stringify(value)}`;
        break;
    }
  }
  if (a.target !== "aws") return a.target === undefined ? "--target is required (the only target is aws)" : `unknown target ${JSON.stringify(a.target)}; the only target is aws`;
  if (a.app !== undefined && !existsSync(resolve(a.app))) return `--app ${a.app}: no such file`;
  if (!a.dryRun && !a.bucket) return "--bucket is required to deploy (the S3 bucket for the code package); or use --dry-run";
  return a;
}

/** Tests pass SDK clients whose middleware answers the requests (no AWS account is reachable there). */
export interface DeployInjection {
  clients?: DeployClients;
  pollIntervalMs?: number;
}

export async function run(args: string[], inject: DeployInjection = {}): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const parsed = parse(args);
  if (typeof parsed === "string") {
    console.error(`nwc deploy: ${parsed}\n\n${USAGE}`);
    return 2;
  }
  const a = parsed;
  const template = generateTemplate({ name: a.name, partitions: a.partitions });
  const bundle = await bundleLambda(a.app, { sourcesContent: a.sourcesContent });
  for (const w of bundle.warnings) console.error(`warning: ${w}`);
  if (a.app && !bundle.compiled) {
    console.error("warning: nwc's compiler API (compiler/index.ts compileSource) is not available: the app was bundled as written; orchestrations that are not already compiled machines will be refused at run time");
  }
  const codeZip = zip([{ name: "handlers.js", data: bundle.code }, { name: "handlers.js.map", data: bundle.map }]);
  const out = resolve(a.out);
  await mkdir(out, { recursive: true });
  await writeFile(join(out, "template.json"), JSON.stringify(template, null, 2) + "\n");
  await writeFile(join(out, "handlers.js"), bundle.code);
  await writeFile(join(out, "handlers.js.map"), bundle.map);
  await writeFile(join(out, "code.zip"), codeZip);
  console.log(`wrote ${join(a.out, "template.json")} (${Object.keys(template.Resources as object).length} resources, ${a.partitions} partitions)`);
  console.log(`wrote ${join(a.out, "handlers.js")} (${(bundle.code.byteLength / 1024).toFixed(0)} KB${a.app ? `, app ${a.app}${bundle.compiled ? " compiled" : " bundled as written"}` : ", no app"}) and code.zip`);
  if (a.dryRun) return 0;
  let result;
  try {
    result = await deployStack(
      { stackName: a.name, region: a.region, bucket: a.bucket!, ...(a.bucketOwner ? { bucketOwner: a.bucketOwner } : {}), template, codeZip, ...inject },
      (line) => console.log(line),
    );
  } catch (error) {
    console.error(`nwc deploy: ${(error as Error).message.replace(/^deploy: /, "")}`);
    return 1;
  }
  console.log(`stack ${a.name}: ${result.status}`);
  for (const [k, v] of Object.entries(result.outputs)) console.log(`  ${k} = ${v}`);
  for (const f of result.failures) console.error(`  failed: ${f}`);
  return isSuccess(result.status) ? 0 : 1;
}
