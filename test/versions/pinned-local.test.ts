// Versions on the local backend, each host a real process: an instance waits, its source is edited
// (after, then before its await point) and the old file is gone; a restarted host finishes it on the
// version it started on. A damaged stored version suspends the instance with the reason; a version
// nothing uses is deleted; a kill -9 anywhere in a host's start never leaves an instance on an unstored version.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile, spawn } from "node:child_process";
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { connect } from "../../runtime/client.ts";
import type { InstanceStatus } from "../../runtime/client.ts";
import type { VersionReport } from "../../runtime/versions/report.ts";
import { makeProject, ROOT } from "./project.ts";

const run = promisify(execFile);
const NODE = [process.execPath, "--conditions=source", "--import", "tsx"] as const;

async function host(store: string, app: string, mode: "start" | "finish", id: string): Promise<InstanceStatus> {
  const { stdout } = await run(NODE[0], [...NODE.slice(1), "test/versions/host-child.ts", store, app, mode, id], { cwd: ROOT, timeout: 90_000 });
  return JSON.parse(stdout.trim().split("\n").pop()!) as InstanceStatus;
}

async function nwcVersions(store: string): Promise<VersionReport[]> {
  const { stdout } = await run(NODE[0], [...NODE.slice(1), "cli/main.ts", "versions", "--dir", store, "--json"], { cwd: ROOT, timeout: 60_000 });
  return JSON.parse(stdout) as VersionReport[];
}

test("edited after and before its await point, old text gone: restarted hosts finish the instances on their version", async () => {
  const p = makeProject("local-edited");
  try {
    const store = join(p.dir, "store");
    const app = p.write("v1");
    const waiting = await host(store, app, "start", "order-1");
    assert.is(waiting.status, "Running");
    const v1 = waiting.version!;
    assert.match(v1, /^[0-9a-f]+$/);
    assert.is((await host(store, app, "start", "order-2")).version, v1);
    assert.equal((await nwcVersions(store)).map((v) => [v.name, v.version, v.instances.Running]), [["approval", v1, 2]]);

    // Edited after the await point (a setStatus string): the v1 text exists nowhere any more.
    p.write("v2-after");
    const first = await host(store, app, "finish", "order-1");
    assert.is(first.status, "Completed", JSON.stringify(first.error));
    assert.is(first.output, "v1:order-1:alice");
    assert.is(first.customStatus, "approved by");
    assert.is(first.version, v1);
    // order-2 still runs on v1, so v1 stays stored next to the new version.
    const both = await nwcVersions(store);
    assert.equal(both.map((v) => [v.version, v.instances.Running]), [[v1, 1], [both[1]!.version, 0]]);

    // Then edited before it (an activity added earlier in the function).
    p.write("v3-before");
    const second = await host(store, app, "finish", "order-2");
    assert.is(second.status, "Completed", JSON.stringify(second.error));
    assert.is(second.output, "v1:order-1:alice"); // host-child starts every instance on "order-1"
    assert.is(second.version, v1);

    // Retention: v1's last instance completed and v2 has none: only the version the last host ran is left.
    const after = await nwcVersions(store);
    assert.is(after.length, 1);
    assert.is.not(after[0]!.version, v1);
    assert.is.not(after[0]!.version, both[1]!.version);
    // A new instance runs the new code.
    const fresh = await host(store, app, "start", "order-3");
    assert.is(fresh.version, after[0]!.version);
  } finally {
    p.cleanup();
  }
});

test("a damaged stored version: Suspended with the reason and the fix; it resumes once the code loads again", async () => {
  const p = makeProject("local-damaged");
  try {
    const store = join(p.dir, "store");
    const app = p.write("v1");
    const waiting = await host(store, app, "start", "order-3");
    p.write("v2-after");
    const [file] = readdirSync(join(store, "versions"));
    const path = join(store, "versions", file!);
    const good = readFileSync(path, "utf8");
    writeFileSync(path, JSON.stringify({ ...JSON.parse(good), code: "this is not JavaScript (" }));

    const suspended = await host(store, app, "finish", "order-3");
    assert.is(suspended.status, "Suspended");
    assert.is(suspended.version, waiting.version);
    assert.is(suspended.error?.name, "MachineVersionMissing");
    assert.match(suspended.error!.message, `version ${waiting.version} of orchestration "approval"`);
    assert.match(suspended.error!.message, "its stored code fails to load");
    assert.match(suspended.error!.message, "Start a host whose app includes that version");
    const [listed] = await nwcVersions(store);
    assert.equal(listed!.instances, { Pending: 0, Running: 0, Suspended: 1 });

    writeFileSync(path, good);
    const done = await host(store, app, "finish", "order-3");
    assert.is(done.status, "Completed", JSON.stringify(done.error));
    assert.is(done.output, "v1:order-1:alice"); // host-child starts every instance on "order-1"
  } finally {
    p.cleanup();
  }
});

test("kill -9 while a host stores its versions and starts: no instance ever runs on a version that is not stored", async () => {
  const p = makeProject("local-killed");
  try {
    const store = join(p.dir, "store");
    const app = p.write("v1");
    await host(store, app, "start", "first"); // the store exists, v1 stored
    p.write("v2-after"); // a new version to store at the next start
    const client = await connect({ backend: { kind: "local", dir: store }, partitions: 2 });
    const starts: Promise<unknown>[] = [];
    try {
      for (const delayMs of [150, 400, 800, 1500, 2500]) {
        // Requests wait in the channel: the killed host may or may not get to them.
        starts.push(client.start("approval", "queued", { instanceId: `queued-${delayMs}` }).catch(() => undefined));
        const child = spawn(NODE[0], [...NODE.slice(1), "test/versions/host-child.ts", store, app, "hold"], { cwd: ROOT, stdio: "ignore" });
        await new Promise((r) => setTimeout(r, delayMs));
        child.kill("SIGKILL");
        await new Promise((r) => child.on("exit", r));
        const stored = new Set((await client.versions()).map((v) => v.version));
        for (const s of await client.list({})) {
          assert.ok(s.version === undefined || stored.has(s.version), `${s.instanceId} runs ${s.version}, which is not stored`);
        }
      }
    } finally {
      await client.close();
    }
  } finally {
    p.cleanup();
  }
});

test.run();
