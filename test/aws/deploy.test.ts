// `nwc deploy --target aws`: the dry run writes the template and a Lambda bundle
// that loads without I/O and, pointed at the emulators through its environment,
// really serves (timer tick, client api); argument errors and a deploy without
// credentials fail with messages that say what to do.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startAwsEmulators, type AwsEmulators } from "../../runtime/testing.ts";
import { generateTemplate } from "../../deploy/template.ts";
import { run as runDeploy } from "../../cli/commands/deploy.ts";
import { createRequire } from "node:module";
import { createAwsBackend } from "../../runtime/backends/aws/index.ts";
import { asEvent, readShardAsEvents } from "./esm.ts";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const out = mkdtempSync(join(tmpdir(), "nwc-deploy-"));
let emu: AwsEmulators;

test.before(async () => {
  emu = await startAwsEmulators({ partitions: 3, stream: "shop", tablePrefix: "shop-" });
});
test.after(async () => {
  await emu?.stop();
  rmSync(out, { recursive: true, force: true });
});

function nwc(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["bin/nwc.js", ...args], { encoding: "utf8", env: { ...process.env, NWC_FROM_SOURCE: "1", ...env }, timeout: 120_000 });
}

test("--dry-run writes the template, the bundle and its zip", () => {
  const r = nwc(["deploy", "--target", "aws", "--dry-run", "--out", out, "--partitions", "3", "--name", "shop", "--app", "test/runtime/machines/apps.ts"]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /template\.json/);
  const template = JSON.parse(readFileSync(join(out, "template.json"), "utf8"));
  assert.equal(template, JSON.parse(JSON.stringify(generateTemplate({ name: "shop", partitions: 3 }))));
  const listing = spawnSync("python3", ["-c", "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(' '.join(z.namelist()))", join(out, "code.zip")], { encoding: "utf8" });
  assert.is(listing.status, 0, listing.stderr);
  assert.is(listing.stdout.trim(), "handlers.js handlers.js.map");
});

/** The source map inside code.zip (what Lambda receives), parsed. */
function zippedMap(dir: string): { sources: string[]; sourcesContent?: (string | null)[]; mappings: string } {
  const r = spawnSync("python3", ["-c", "import sys,zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read('handlers.js.map').decode())", join(dir, "code.zip")], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("the shipped source map maps to file names but carries no source code, unless --sources-content", () => {
  const map = zippedMap(out);
  assert.ok(map.sources.some((f) => f.endsWith("runtime/machines/apps.ts")), "the app's file is among the sources");
  assert.ok(map.mappings.length > 0);
  assert.is(map.sourcesContent, undefined, "no sourcesContent by default");
  assert.not.match(readFileSync(join(out, "handlers.js.map"), "utf8"), /export const helloSequence/);

  const withSources = mkdtempSync(join(tmpdir(), "nwc-deploy-sources-"));
  try {
    const r = nwc(["deploy", "--target", "aws", "--dry-run", "--sources-content", "--out", withSources, "--partitions", "3", "--name", "shop", "--app", "test/runtime/machines/apps.ts"]);
    assert.is(r.status, 0, r.stderr);
    const full = zippedMap(withSources);
    assert.is(full.sourcesContent?.length, full.sources.length);
    const app = full.sources.findIndex((f) => f.endsWith("runtime/machines/apps.ts"));
    assert.match(full.sourcesContent![app] ?? "", /helloSequence/);
  } finally {
    rmSync(withSources, { recursive: true, force: true });
  }
});

test("the bundle loads without I/O and exports the four handlers named in the template", () => {
  const r = spawnSync(process.execPath, ["-e", `const h = require(${JSON.stringify(join(out, "handlers.js"))}); console.log([typeof h.partition, typeof h.timer, typeof h.client, typeof h.activity].join(","))`], { encoding: "utf8", env: { PATH: process.env.PATH! } });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), "function,function,function,function");
});

test("the bundle serves against the emulators with the template's environment", () => {
  const script = `
    const h = require(${JSON.stringify(join(out, "handlers.js"))});
    (async () => {
      const tick = await h.timer({});
      const status = await h.client({ op: "status", instanceId: "none" });
      let error = "";
      try { await h.client({ op: "nope" }); } catch (e) { error = e.message; }
      console.log(JSON.stringify({ tick, status, error }));
      process.exit(0);
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ["-e", script], {
    encoding: "utf8",
    timeout: 60_000,
    env: {
      PATH: process.env.PATH!,
      AWS_REGION: emu.backend.region,
      NWC_STREAM: "shop",
      NWC_TABLE_PREFIX: "shop-",
      NWC_PARTITIONS: "3",
      NWC_DYNAMODB_ENDPOINT: emu.backend.endpoints.dynamodb,
      NWC_KINESIS_ENDPOINT: emu.backend.endpoints.kinesis,
    },
  });
  assert.is(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split("\n").pop()!);
  assert.equal(result.tick, { ticked: 3 });
  assert.is(result.status, null);
  assert.match(result.error, /unknown op "nope"/);
});

test("a compiled app's bundle runs its orchestrations end to end on the emulators (locks, entities, transfers)", async () => {
  const dir = join(out, "bank");
  const r = nwc(["deploy", "--target", "aws", "--dry-run", "--out", dir, "--partitions", "3", "--name", "bank", "--app", "examples/bank.ts"]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /compiled/);
  Object.assign(process.env, {
    AWS_REGION: emu.backend.region, NWC_STREAM: "bank", NWC_TABLE_PREFIX: "bank-", NWC_PARTITIONS: "3",
    NWC_DYNAMODB_ENDPOINT: emu.backend.endpoints.dynamodb, NWC_KINESIS_ENDPOINT: emu.backend.endpoints.kinesis,
  });
  // The stream and tables the template would create (the emulators stand in for CloudFormation).
  const resources = await createAwsBackend({ ...emu.backend, stream: "bank", tablePrefix: "bank-" }, 3);
  const h = createRequire(import.meta.url)(join(dir, "handlers.js"));
  const positions = new Map<number, string | undefined>();
  const pump = async () => {
    for (let p = 0; p < 3; p++) {
      const records = await readShardAsEvents(resources.clients.kinesis, "bank", p, positions.get(p));
      if (records.length === 0) continue;
      const res = await h.partition(asEvent(records), { getRemainingTimeInMillis: () => 30_000 });
      assert.equal(res.batchItemFailures, []);
      positions.set(p, records[records.length - 1].kinesis.sequenceNumber);
    }
  };
  const run = async (orchestration: string, input: unknown, instanceId: string) => {
    const started = h.client({ op: "start", orchestration, input, instanceId });
    const deadline = Date.now() + 30_000;
    for (;;) {
      await pump();
      const s = await h.client({ op: "status", instanceId });
      if (s && ["Completed", "Failed"].includes(s.status)) {
        await started;
        return s;
      }
      if (Date.now() > deadline) throw new Error(`${instanceId} did not finish: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    assert.is((await run("openAccounts", { keys: ["a", "b"], amount: 100 }, "open-1")).output, 2);
    assert.is((await run("transfer", { from: "a", to: "b", amount: 30 }, "transfer-1")).output, true);
    assert.is((await run("transfer", { from: "a", to: "b", amount: 500 }, "transfer-2")).output, false);
    assert.equal((await h.client({ op: "readEntity", entity: "Account", key: "a" })).state, { balance: 70 });
    assert.equal((await h.client({ op: "readEntity", entity: "Account", key: "b" })).state, { balance: 130 });
  } finally {
    await h.close();
    await resources.close();
  }
});

test("a user's own function bundled with esbuild reaches the aws backend through connect() and nwc/lambda", async () => {
  // As a user's project would: `nwc` resolved from node_modules (a link to this package), the
  // backend named by a plain spec, so the factory's lazy import must be one esbuild can follow.
  const dir = join(out, "userfn");
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(root, join(dir, "node_modules", "nwc"));
  writeFileSync(join(dir, "fn.ts"), [
    `import { connect } from "nwc";`,
    `import { connectFromEnv } from "nwc/lambda";`,
    `export async function bySpec(endpoints: { dynamodb: string; kinesis: string }) {`,
    `  const client = await connect({ backend: { kind: "aws", region: "us-east-1", stream: "shop", tablePrefix: "shop-", endpoints }, partitions: 3 });`,
    `  try { return (await client.status("none")) ?? null; } finally { await client.close(); }`,
    `}`,
    `export async function fromEnv() {`,
    `  const client = await connectFromEnv();`,
    `  try { return (await client.status("none")) ?? null; } finally { await client.close(); }`,
    `}`,
  ].join("\n"));
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: [join(dir, "fn.ts")], bundle: true, platform: "node", format: "cjs", target: "node20", conditions: ["source"],
    outfile: join(dir, "fn.js"), logLevel: "silent", external: ["aws-crt", "@aws-sdk/signature-v4-crt"],
  });
  // Run from a folder without nwc's sources next to it: the bundle must hold everything.
  const script = `
    const fn = require(${JSON.stringify(join(dir, "fn.js"))});
    (async () => {
      const bySpec = await fn.bySpec(${JSON.stringify(emu.backend.endpoints)});
      const fromEnv = await fn.fromEnv();
      console.log(JSON.stringify({ bySpec, fromEnv }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ["-e", script], {
    encoding: "utf8", cwd: tmpdir(), timeout: 60_000,
    env: {
      PATH: process.env.PATH!, AWS_REGION: emu.backend.region, NWC_STREAM: "shop", NWC_TABLE_PREFIX: "shop-", NWC_PARTITIONS: "3",
      NWC_DYNAMODB_ENDPOINT: emu.backend.endpoints.dynamodb, NWC_KINESIS_ENDPOINT: emu.backend.endpoints.kinesis,
    },
  });
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout.trim().split("\n").pop()!), { bySpec: null, fromEnv: null });
});

test("argument errors name the problem", async () => {
  for (const [args, pattern] of [
    [["--dry-run"], /--target is required/],
    [["--target", "gcp", "--dry-run"], /unknown target "gcp"/],
    [["--target", "aws", "--dry-run", "--partitions", "0"], /--partitions must be a positive integer/],
    [["--target", "aws", "--dry-run", "--app", "no/such.ts"], /no such file/],
    [["--target", "aws"], /--bucket is required/],
    [["--target", "aws", "--dry-run", "--frobnicate"], /unknown option "--frobnicate"/],
  ] as const) {
    const errors: string[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => void errors.push(a.join(" "));
    let code: number;
    try {
      code = await runDeploy([...args]);
    } finally {
      console.error = original;
    }
    assert.is(code, 2, args.join(" "));
    assert.match(errors.join("\n"), pattern);
  }
});

test("deploying without credentials stops before any AWS call, saying how to provide them", () => {
  const r = nwc(["deploy", "--target", "aws", "--out", out, "--bucket", "some-bucket", "--name", "shop"], {
    AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_PROFILE: "nwc-no-such-profile", AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
  });
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /no AWS credentials found/);
  assert.match(r.stderr, /--dry-run/);
});

test.run();
