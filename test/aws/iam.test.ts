// Least privilege, checked against what the deployed code really calls: the
// bundle of examples/bank.ts runs each Lambda handler (one module copy per
// function, as separate functions would) against the emulators through a
// recording HTTP proxy; every (IAM action, resource) its requests need must be
// granted by that function's role in the template, and nothing else is needed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAwsEmulators, type AwsEmulators } from "../../runtime/testing.ts";
import { createAwsBackend } from "../../runtime/backends/aws/index.ts";
import { generateTemplate } from "../../deploy/template.ts";
import { asEvent, readShardAsEvents } from "./esm.ts";

const out = mkdtempSync(join(tmpdir(), "nwc-iam-"));
const NAME = "bank";
const PARTITIONS = 2;
let emu: AwsEmulators;
const proxies: Server[] = [];

test.before(async () => {
  emu = await startAwsEmulators({ partitions: PARTITIONS, stream: NAME, tablePrefix: `${NAME}-` });
  const r = spawnSync(process.execPath, ["bin/nwc.js", "deploy", "--target", "aws", "--dry-run", "--out", out, "--partitions", String(PARTITIONS), "--name", NAME, "--app", "examples/bank.ts"],
    { encoding: "utf8", env: { ...process.env, NWC_FROM_SOURCE: "1" }, timeout: 120_000 });
  if (r.status !== 0) throw new Error(r.stderr);
});
test.after(async () => {
  for (const p of proxies) p.close();
  await emu?.stop();
  rmSync(out, { recursive: true, force: true });
});

type Need = { action: string; resource: "Stream" | "PartitionsTable" | "StatusTable" };

/** An HTTP proxy in front of an emulator that records the IAM action and resource of every request. */
async function recordingProxy(target: string, needs: Need[]): Promise<string> {
  const url = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const op = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "unknown";
      let input: any = {};
      try {
        input = JSON.parse(body.toString("utf8"));
      } catch {
        // not JSON (binary protocol): the resource is the only stream
      }
      if (String(req.headers["x-amz-target"]).startsWith("Kinesis")) needs.push({ action: `kinesis:${op}`, resource: "Stream" });
      else {
        const table = (name: string): Need["resource"] => (name.endsWith("-status") ? "StatusTable" : "PartitionsTable");
        if (op === "TransactWriteItems") {
          for (const item of input.TransactItems ?? []) {
            const [kind, spec] = Object.entries(item)[0] as [string, any];
            const action = { Put: "PutItem", Update: "UpdateItem", Delete: "DeleteItem", ConditionCheck: "ConditionCheckItem" }[kind]!;
            needs.push({ action: `dynamodb:${action}`, resource: table(spec.TableName) });
          }
        } else if (op === "BatchWriteItem" || op === "BatchGetItem") {
          for (const name of Object.keys(input.RequestItems ?? {})) needs.push({ action: `dynamodb:${op}`, resource: table(name) });
        } else needs.push({ action: `dynamodb:${op}`, resource: table(input.TableName ?? "") });
      }
      const forward = request({ host: url.hostname, port: url.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      });
      forward.on("error", (e) => { res.writeHead(502); res.end(String(e)); });
      forward.end(body);
    });
  });
  proxies.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

/** A copy of the bundle with its own environment: one Lambda function. */
async function lambdaFunction(fn: string, needs: Need[]): Promise<any> {
  const file = join(out, `handlers-${fn}.js`);
  copyFileSync(join(out, "handlers.js"), file);
  const env = {
    AWS_REGION: emu.backend.region, NWC_STREAM: NAME, NWC_TABLE_PREFIX: `${NAME}-`, NWC_PARTITIONS: String(PARTITIONS),
    NWC_DYNAMODB_ENDPOINT: await recordingProxy(emu.backend.endpoints.dynamodb, needs),
    NWC_KINESIS_ENDPOINT: await recordingProxy(emu.backend.endpoints.kinesis, needs),
  };
  const h = createRequire(import.meta.url)(file);
  // Each handler reads its configuration at first use: give it this function's environment then.
  const wrap = (name: string) => async (...args: unknown[]) => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      return await h[name](...args);
    } finally {
      for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
    }
  };
  return { partition: wrap("partition"), timer: wrap("timer"), client: wrap("client"), activity: wrap("activity"), close: () => h.close() };
}

test("each function's requests are exactly covered by its role", async () => {
  const needs = { processor: [] as Need[], timer: [] as Need[], client: [] as Need[], activity: [] as Need[] };
  const processor = await lambdaFunction("processor", needs.processor);
  const timer = await lambdaFunction("timer", needs.timer);
  const client = await lambdaFunction("client", needs.client);
  const activity = await lambdaFunction("activity", needs.activity);
  const direct = await createAwsBackend({ ...emu.backend }, PARTITIONS);
  const positions = new Map<number, string | undefined>();
  const pump = async () => {
    for (let p = 0; p < PARTITIONS; p++) {
      const records = await readShardAsEvents(direct.clients.kinesis, NAME, p, positions.get(p));
      if (records.length === 0) continue;
      const res = await processor.partition(asEvent(records), { getRemainingTimeInMillis: () => 30_000 });
      assert.equal(res.batchItemFailures, []);
      positions.set(p, records[records.length - 1].kinesis.sequenceNumber);
    }
  };
  const run = async (orchestration: string, input: unknown, instanceId: string) => {
    const started = client.client({ op: "start", orchestration, input, instanceId });
    for (let i = 0; i < 300; i++) {
      await pump();
      const s = await client.client({ op: "status", instanceId });
      if (s?.status === "Completed") return started;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${instanceId} did not complete`);
  };
  try {
    await run("openAccounts", { keys: ["a", "b"], amount: 10 }, "open");
    await run("transfer", { from: "a", to: "b", amount: 4 }, "move");
    await client.client({ op: "signal", entity: "Account", key: "a", operation: "add", input: 1 });
    await client.client({ op: "list", filter: { name: "transfer" } });
    assert.equal((await client.client({ op: "readEntity", entity: "Account", key: "b" })).state, { balance: 14 });
    await client.client({ op: "wait", instanceId: "move", timeoutMs: 1000 });
    await timer.timer({});
    await pump();
    await activity.activity({ partition: 0, instanceId: "x", taskId: 1, name: "nothing", input: null, attempt: 1 });
  } finally {
    await processor.close();
    await client.close();
    await timer.close();
    await direct.close();
  }
  // What the event source mapping itself calls with the processor's role.
  needs.processor.push(...["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"]
    .map((action) => ({ action, resource: "Stream" as const })));

  const template = generateTemplate({ name: NAME, partitions: PARTITIONS }) as any;
  const granted = (roleId: string) => {
    const statements = template.Resources[roleId].Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    const set = new Set<string>();
    for (const s of statements) {
      for (const r of [s.Resource].flat()) {
        const id = JSON.stringify(r).match(/"(Stream|PartitionsTable|StatusTable)"/)?.[1];
        if (id) for (const a of [s.Action].flat()) set.add(`${a} on ${id}`);
      }
    }
    return set;
  };
  for (const [fn, roleId] of [["processor", "ProcessorRole"], ["timer", "TimerRole"], ["client", "ClientRole"], ["activity", "ActivityRole"]] as const) {
    const used = new Set(needs[fn].map((n) => `${n.action} on ${n.resource}`));
    const grants = granted(roleId);
    for (const u of used) assert.ok(grants.has(u), `${roleId} lacks ${u}`);
    // Least privilege: every grant is used, except these, used on paths this run does not reach:
    const notReached = new Set([
      "dynamodb:DeleteItem on PartitionsTable", // a checkpoint deleting an object
      "dynamodb:BatchWriteItem on PartitionsTable", // trimming the log after a checkpoint
    ]);
    for (const g of grants) assert.ok(used.has(g) || notReached.has(g), `${roleId} grants ${g}, which nothing needs`);
  }
  assert.equal(needs.activity, [], "the activity worker touches no nwc resource");
  assert.ok(needs.timer.every((n) => n.resource === "Stream"), "the timer only talks to the stream");
  assert.ok(needs.client.every((n) => n.resource === "Stream" ? n.action !== "kinesis:GetRecords" : !/Put|Update|Delete|Write/.test(n.action)), "the client never writes tables nor reads the stream");
});

test.run();
