// `startAwsEmulators()` (nwc/testing): both emulators on loopback ports, the
// tables and the stream ready, `stop()` ending every process it started by
// pid; and a program that crashes without calling stop() leaves none behind.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { startAwsEmulators } from "../../runtime/testing.ts";
import { createClients } from "../../runtime/backends/aws/clients.ts";
import { createAwsBackend } from "../../runtime/backends/aws/index.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function parentOf(pid: number): number {
  // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after the last ')'.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

test("both emulators on loopback ports, tables and stream created, stop() ends both processes", async () => {
  const emu = await startAwsEmulators({ partitions: 3, stream: "ready", tablePrefix: "ready-" });
  try {
    assert.is(emu.pids.length, 2);
    for (const pid of emu.pids) {
      assert.ok(alive(pid));
      assert.is(parentOf(pid), process.pid, "started by this process");
    }
    assert.match(emu.backend.endpoints.dynamodb, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(emu.backend.endpoints.kinesis, /^http:\/\/127\.0\.0\.1:\d+$/);
    const clients = createClients(emu.backend);
    try {
      const { TableNames } = await clients.dynamodb.send(new ListTablesCommand({}));
      assert.equal(TableNames?.sort(), ["ready-partitions", "ready-status"]);
      const { StreamNames } = await clients.kinesis.send(new ListStreamsCommand({}));
      assert.equal(StreamNames, ["ready"]);
    } finally {
      clients.dynamodb.destroy();
      clients.kinesis.destroy();
    }
    // Ready as returned: a backend that may not create anything finds the stream (3 shards) and tables.
    const backend = await createAwsBackend({ ...emu.backend, createResources: false }, 3);
    await backend.close();
  } finally {
    await emu.stop();
  }
  for (const pid of emu.pids) assert.not.ok(alive(pid), `emulator ${pid} still runs after stop()`);
  await emu.stop(); // a second stop is harmless
});

/** SIGKILL is delivered at once, but a JVM with many threads takes a moment to be gone, more on a loaded machine. */
async function gone(pid: number, withinMs = 5000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

test("a program that crashes without stop() leaves no emulator running", async () => {
  const script = `
    import { startAwsEmulators } from ${JSON.stringify(new URL("../../runtime/testing.ts", import.meta.url).href)};
    const emu = await startAwsEmulators({ partitions: 1 });
    console.log(JSON.stringify(emu.pids));
    setTimeout(() => { throw new Error("crash (on purpose)"); }, 10);
  `;
  const r = spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 120_000 });
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /crash \(on purpose\)/);
  const pids = JSON.parse(r.stdout.trim().split("\n").pop()!) as number[];
  assert.is(pids.length, 2);
  for (const pid of pids) assert.ok(await gone(pid), `emulator ${pid} outlived the crashed program`);
});

test.run();
