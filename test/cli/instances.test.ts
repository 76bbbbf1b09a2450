/**
 * The instance commands end to end. A host in another process makes a store
 * with a completed, a failed and two waiting instances and an entity, then
 * stops; every command is run against `--dir` with no host running, then a
 * real `nwc dev` process applies what was queued and serves `--url`.
 * Commands run in this process (inProcess) where only their output matters,
 * as bin/nwc.js where the exit code of the real command line does.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as entityCmd from "../../cli/commands/entity.ts";
import * as listCmd from "../../cli/commands/list.ts";
import * as purgeCmd from "../../cli/commands/purge.ts";
import * as raiseCmd from "../../cli/commands/raise.ts";
import * as showCmd from "../../cli/commands/show.ts";
import * as signalCmd from "../../cli/commands/signal.ts";
import * as terminateCmd from "../../cli/commands/terminate.ts";
import { eventually, startNode, type Child } from "./instance-process.ts";
import { inProcess, nwc, type CommandResult } from "./run-command.ts";

const APP = "test/cli/fixtures/instances/app.ts";
let dir = "";
let dev: Child | undefined;
let url = "";

function ok(r: CommandResult): string {
  assert.is(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function json<T>(module: { run(args: string[]): Promise<number> }, ...args: string[]): Promise<T> {
  return JSON.parse(ok(await inProcess(module, ...args, "--json"))) as T;
}

type Row = { instanceId: string; name: string; status: string; input: unknown; output: unknown; error?: { name: string; message: string; stack?: string }; customStatus?: unknown; createdAt: number; updatedAt: number };
const ids = (rows: Row[]) => rows.map((r) => r.instanceId).sort();

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), "nwc-instances-"));
  const maker = startNode(["test/cli/fixtures/instances/make-store.ts", dir]);
  assert.is(await maker.exited, 0, maker.output());
});

test.after(async () => {
  if (dev && dev.process.exitCode === null) dev.process.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

test("--dir, no host running: list, with --status, --name and --since filters, as a table and as JSON", async () => {
  const all = await json<Row[]>(listCmd, "--dir", dir);
  assert.equal(ids(all), ["a1", "a2", "b1", "q1"]);
  assert.equal(Object.keys(all[0]!).sort(), ["createdAt", "customStatus", "error", "input", "instanceId", "name", "output", "status", "updatedAt", "version"]);
  assert.equal(ids(await json<Row[]>(listCmd, "--dir", dir, "--status", "Running,Failed")), ["a1", "a2", "b1"]);
  assert.equal(ids(await json<Row[]>(listCmd, "--dir", dir, "--name", "boom")), ["b1"]);
  assert.equal(ids(await json<Row[]>(listCmd, "--dir", dir, "--since", "1h")), ["a1", "a2", "b1", "q1"]);
  assert.equal(await json<Row[]>(listCmd, "--dir", dir, "--since", "2099-01-01T00:00:00Z"), []);
  const table = ok(await inProcess(listCmd, "--dir", dir, "--status", "Completed")).split("\n");
  assert.match(table[0]!, /^INSTANCE  NAME   STATUS     CREATED\s+UPDATED\s+CUSTOM STATUS$/);
  assert.match(table[1]!, /^q1        quick  Completed  \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/);
  // Columns line up: STATUS starts at the same offset on every line.
  assert.is(table[1]!.indexOf("Completed"), table[0]!.indexOf("STATUS"));
});

test("--dir: show of a completed, a failed and a waiting instance", async () => {
  const q1 = await json<Row>(showCmd, "q1", "--dir", dir);
  assert.is(q1.status, "Completed");
  assert.equal(q1.output, { doubled: 42 });
  const b1 = await json<Row>(showCmd, "b1", "--dir", dir);
  assert.is(b1.status, "Failed");
  assert.is(b1.error!.name, "RangeError");
  assert.is(b1.error!.message, "boom: bad");
  const b1Text = ok(await inProcess(showCmd, "b1", "--dir", dir));
  assert.match(b1Text, /error\s+RangeError: boom: bad\n\s+at .*app\.ts/);
  const a1 = await json<Row & { waits: { events: string[]; timers: { fireAtMs: number }[] } }>(showCmd, "a1", "--dir", dir);
  assert.equal(a1.waits.events, ["approval"]);
  assert.is(a1.waits.timers.length, 1);
  assert.ok(a1.waits.timers[0]!.fireAtMs > Date.now() + 3_000_000, "the one-hour timer");
  assert.is(a1.customStatus, "waiting for approval");
  const a1Text = ok(await inProcess(showCmd, "a1", "--dir", dir));
  // A timer on another day than today carries its date too (this one is an hour away: past midnight near its end).
  assert.match(a1Text, /waits for\s+event `approval` or timer at (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d/, a1Text);
  assert.match(a1Text, new RegExp(`raise with\\s+nwc raise a1 approval '<json>' --dir ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  // With the code, the source line where it waits.
  const withApp = ok(await inProcess(showCmd, "a1", "--dir", dir, "--app", APP));
  assert.match(withApp, /waiting at\s+line \d+: await Promise\.race\(\[decision, timeout\]\)/);
});

test("--dir: entity read; unknown instance and entity are exit 1 with a clear message", async () => {
  assert.equal(await json(entityCmd, "Counter", "c1", "--dir", dir), { name: "Counter", key: "c1", state: { value: 21 } });
  const missing = await inProcess(showCmd, "nope", "--dir", dir);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, new RegExp(`no instance nope in ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}; nwc list --dir .* shows the instances`));
  const noEntity = await inProcess(entityCmd, "Counter", "zz", "--dir", dir);
  assert.is(noEntity.code, 1);
  assert.match(noEntity.stderr, /entity Counter\/zz has no state/);
  for (const cmd of [raiseCmd, terminateCmd, purgeCmd]) {
    const r = await inProcess(cmd, "nope", ...(cmd === raiseCmd ? ["approval"] : []), "--dir", dir);
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /no instance nope in/);
  }
  const noStore = await inProcess(listCmd, "--dir", join(dir, "not-a-store"));
  assert.is(noStore.code, 1);
  assert.match(noStore.stderr, /no nwc store in .*not-a-store/);
});

test("bad input is exit 2 and says which argument and why (the real command line)", () => {
  const badJson = nwc("raise", "a1", "approval", "{ok:true}", "--dir", dir);
  assert.is(badJson.code, 2);
  assert.match(badJson.stderr, /nwc raise: the event data \(argument 3\) is not valid JSON \(.+\); quote it for the shell/);
  const badInput = nwc("signal", "Counter", "c1", "add", "1,", "--dir", dir);
  assert.is(badInput.code, 2);
  assert.match(badInput.stderr, /the operation input \(argument 4\) is not valid JSON/);
  const both = nwc("list", "--dir", dir, "--url", "http://127.0.0.1:1");
  assert.is(both.code, 2);
  assert.match(both.stderr, /give --dir or --url, not both/);
  const status = nwc("list", "--dir", dir, "--status", "Done");
  assert.is(status.code, 2);
  assert.match(status.stderr, /--status: unknown status "Done"; use Pending, Running/);
  const since = nwc("list", "--dir", dir, "--since", "yesterday");
  assert.is(since.code, 2);
  assert.match(since.stderr, /--since "yesterday" is neither a date/);
  const missingArg = nwc("show", "--dir", dir);
  assert.is(missingArg.code, 2);
  assert.match(missingArg.stderr, /usage: nwc show <id>/);
  const help = nwc("--help");
  for (const name of ["list", "show", "raise", "terminate", "purge", "entity", "signal"]) assert.match(help.stdout, new RegExp(`\\n  ${name}\\s+\\S`));
});

test("--dir, no host running: purge refuses a running instance; raise, terminate, signal and purge are queued", async () => {
  const running = await inProcess(purgeCmd, "a1", "--dir", dir);
  assert.is(running.code, 1);
  assert.match(running.stderr, /a1 is Running; only Completed, Failed or Terminated instances can be purged/);
  const notFinished = await inProcess(purgeCmd, "--status", "Running", "--dir", dir);
  assert.is(notFinished.code, 2);
  ok(await inProcess(raiseCmd, "a1", "approval", '{"ok":true}', "--dir", dir));
  ok(await inProcess(terminateCmd, "a2", "no longer needed", "--dir", dir));
  ok(await inProcess(signalCmd, "Counter", "c1", "add", "4", "--dir", dir));
  const queued = await json<{ purged: string[]; queued: string[] }>(purgeCmd, "q1", "--dir", dir, "--wait", "300");
  assert.equal(queued, { purged: [], queued: ["q1"] });
  // Nothing applied yet: no host runs on the store.
  assert.is((await json<Row>(showCmd, "a1", "--dir", dir)).status, "Running");
});

test("a real nwc dev on the store applies what was queued; --dir sees it while that host runs", async () => {
  dev = startNode(["cli/main.ts", "dev", "--port", "0", "--dir", dir, APP]);
  url = (await dev.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  await eventually("a1 Completed", async () => (await json<Row[]>(listCmd, "--dir", dir, "--status", "Completed")).some((r) => r.instanceId === "a1"));
  const a1 = await json<Row>(showCmd, "a1", "--dir", dir);
  assert.is(a1.output, "request a1: approved");
  assert.is((await json<Row>(showCmd, "a2", "--dir", dir)).status, "Terminated");
  assert.is((await json<Row>(showCmd, "a2", "--dir", dir)).output, "no longer needed");
  assert.equal(ids(await json<Row[]>(listCmd, "--dir", dir)), ["a1", "a2", "b1"], "q1 purged");
  await eventually("Counter at 25", async () => ((await json<{ state: { value: number } }>(entityCmd, "Counter", "c1", "--dir", dir)).state.value === 25));
});

test("--url of the running nwc dev: list, show with the source line, raise, terminate, purge, entity, signal", async () => {
  assert.equal(ids(await json<Row[]>(listCmd, "--url", url)), ["a1", "a2", "b1"]);
  assert.equal(ids(await json<Row[]>(listCmd, "--url", url, "--status", "Failed")), ["b1"]);
  assert.equal(ids(await json<Row[]>(listCmd, "--url", url, "--name", "approval", "--since", "1h")), ["a1", "a2"]);
  assert.equal(await json<Row[]>(listCmd, "--url", url, "--since", "2099-01-01"), []);
  const b1 = await json<Row>(showCmd, "b1", "--url", url);
  assert.is(b1.error!.name, "RangeError");
  for (const id of ["a3", "a4"]) {
    const res = await fetch(`${url}/api/instances`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "approval", input: id, instanceId: id }) });
    assert.is(res.status, 201);
  }
  const a3 = await json<Row & { waits: { events: string[] }; waitingAt: string[] }>(showCmd, "a3", "--url", url);
  assert.equal(a3.waits.events, ["approval"]);
  assert.match(a3.waitingAt[0]!, /^line \d+: await Promise\.race\(\[decision, timeout\]\)$/);
  assert.match(ok(await inProcess(showCmd, "a3", "--url", url)), new RegExp(`raise with\\s+nwc raise a3 approval '<json>' --url ${url}`));
  const refused = await inProcess(purgeCmd, "a3", "--url", url);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /a3 is Running; only Completed, Failed or Terminated/);
  ok(await inProcess(raiseCmd, "a3", "approval", '{"ok":false}', "--url", url));
  ok(await inProcess(terminateCmd, "a4", "--url", url));
  await eventually("a3 Completed", async () => (await json<Row>(showCmd, "a3", "--url", url)).status === "Completed");
  assert.is((await json<Row>(showCmd, "a3", "--url", url)).output, "a3: rejected");
  await eventually("a4 Terminated", async () => (await json<Row>(showCmd, "a4", "--url", url)).status === "Terminated");
  const unknown = await inProcess(showCmd, "nope", "--url", url);
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, new RegExp(`no instance nope in ${url}; nwc list --url ${url} shows the instances`));
  assert.is((await inProcess(raiseCmd, "nope", "x", "--url", url)).code, 1);
  // Purge by selection: the terminated ones (a2, a4), finished before now.
  const purged = await json<{ purged: string[]; queued: string[] }>(purgeCmd, "--status", "Terminated", "--before", "0s", "--url", url);
  assert.equal({ purged: purged.purged.sort(), queued: purged.queued }, { purged: ["a2", "a4"], queued: [] });
  assert.equal((await json<{ purged: string[] }>(purgeCmd, "a3", "--url", url)).purged, ["a3"]);
  assert.equal(ids(await json<Row[]>(listCmd, "--url", url)), ["a1", "b1"]);
  assert.equal(await json(entityCmd, "Counter", "c1", "--url", url), { name: "Counter", key: "c1", state: { value: 25 } });
  ok(await inProcess(signalCmd, "Counter", "c1", "add", "5", "--url", url));
  await eventually("Counter at 30", async () => ((await json<{ state: { value: number } }>(entityCmd, "Counter", "c1", "--url", url)).state.value === 30));
  assert.is((await inProcess(entityCmd, "Counter", "none", "--url", url)).code, 1);
});

test("after nwc dev stops, and a host restarts on the store, the purged instances stay gone", async () => {
  dev!.process.kill("SIGINT");
  assert.is(await dev!.exited, 0, dev!.output());
  assert.equal(ids(await json<Row[]>(listCmd, "--dir", dir)), ["a1", "b1"]);
  const again = startNode(["cli/main.ts", "dev", "--port", "0", "--dir", dir, APP]);
  const againUrl = (await again.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  assert.equal(ids(await json<Row[]>(listCmd, "--url", againUrl)), ["a1", "b1"]);
  assert.is((await inProcess(showCmd, "q1", "--url", againUrl)).code, 1);
  again.process.kill("SIGINT");
  assert.is(await again.exited, 0, again.output());
});

test.run();
