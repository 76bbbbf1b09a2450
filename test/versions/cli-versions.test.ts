// `nwc versions --url` against a running `nwc dev`: the versions its app stored at start, with the
// instances on each; `nwc list --status Suspended` is a valid filter.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import type { VersionReport } from "../../runtime/versions/report.ts";
import { ROOT } from "./project.ts";

const run = promisify(execFile);
const NODE = ["--conditions=source", "--import", "tsx", "cli/main.ts"];

test("nwc versions --url lists the dev host's stored version and its running instance", async () => {
  const dev = spawn(process.execPath, [...NODE, "dev", "--port", "0", "--backend", "memory", "examples/human-approval.ts"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  dev.stdout.on("data", (d) => (out += d));
  dev.stderr.on("data", (d) => (out += d));
  try {
    const deadline = Date.now() + 90_000;
    while (!/listening on (http:\/\/127\.0\.0\.1:\d+)/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    assert.ok(url, `no listening line in: ${out}`);
    const versions = async () => JSON.parse((await run(process.execPath, [...NODE, "versions", "--url", url!, "--json"], { cwd: ROOT })).stdout) as VersionReport[];
    const [stored] = await versions();
    assert.is(stored!.name, "approvalWorkflow");
    assert.equal(stored!.instances, { Pending: 0, Running: 0, Suspended: 0 });
    const started = await fetch(`${url}/api/instances`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "approvalWorkflow", input: { request: "a boat", timeoutMs: 600_000 } }) });
    assert.is(started.status, 201);
    const { instanceId } = (await started.json()) as { instanceId: string };
    let running = stored!.instances.Running;
    for (let i = 0; i < 50 && running === 0; i++) running = (await versions())[0]!.instances.Running;
    assert.is(running, 1);
    const table = (await run(process.execPath, [...NODE, "versions", "--url", url!], { cwd: ROOT })).stdout;
    assert.match(table, new RegExp(`NAME +VERSION +STORED +PENDING +RUNNING +SUSPENDED\\napprovalWorkflow +${stored!.version} +\\S+ \\S+ +0 +1 +0`));
    const suspended = JSON.parse((await run(process.execPath, [...NODE, "list", "--url", url!, "--status", "suspended", "--json"], { cwd: ROOT })).stdout) as unknown[];
    assert.equal(suspended, []);
    const listed = JSON.parse((await run(process.execPath, [...NODE, "list", "--url", url!, "--json"], { cwd: ROOT })).stdout) as { instanceId: string; version: string }[];
    assert.equal(listed.map((s) => [s.instanceId, s.version]), [[instanceId, stored!.version]]);
  } finally {
    dev.kill("SIGINT");
  }
});

test.run();
