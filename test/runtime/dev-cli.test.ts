/** `nwc dev`: loads the files, serves the API and the dashboard page on 127.0.0.1, stops cleanly on SIGINT. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** `nwc dev <args>` from the sources, once it prints its listening line: its url, its output so far, and its exit. */
async function startDev(args: string[]): Promise<{ url: string; output(): string; exited: Promise<number | null>; stop(): void }> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "cli/main.ts", "dev", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const deadline = Date.now() + 45_000;
  while (!/listening on (http:\/\/127\.0\.0\.1:\d+)/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
  if (!url) {
    child.kill("SIGKILL");
    assert.unreachable(`no listening line in: ${out}`);
  }
  return { url: url!, output: () => out, exited, stop: () => child.kill("SIGINT") };
}

/** `nwc dev <args>` expected to refuse its arguments: its exit code and standard error. */
async function refusedDev(args: string[]): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "cli/main.ts", "dev", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  return { code, err };
}

test("serves the orchestrations of the given files and exits 0 on SIGINT", async () => {
  const dev = await startDev(["--port", "0", "--backend", "memory", "--allow-origin", "http://localhost:4000", "test/runtime/machines/apps.ts"]);
  const { url } = dev;
  const out = dev.output();
  const list = (await (await fetch(`${url}/api/orchestrations`)).json()) as { name: string }[];
  assert.ok(list.some((o) => o.name === "helloSequence"));
  assert.match(out, /browser origins allowed: http:\/\/127\.0\.0\.1:5173, http:\/\/localhost:5173, http:\/\/localhost:4000/);
  const fromPage = await fetch(`${url}/api/orchestrations`, { headers: { Origin: "http://localhost:4000" } });
  assert.is(fromPage.headers.get("access-control-allow-origin"), "http://localhost:4000");
  assert.is((await fetch(`${url}/api/orchestrations`, { headers: { Origin: "http://localhost:4001" } })).status, 403);
  const started = (await (await fetch(`${url}/api/instances`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "helloSequence", input: ["Oslo"] }) })).json()) as { instanceId: string };
  let status: { status: string; output?: unknown } = { status: "" };
  for (let i = 0; i < 100 && status.status !== "Completed"; i++) {
    status = (await (await fetch(`${url}/api/instances/${started.instanceId}`)).json()) as typeof status;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(status.output, ["Hello Oslo!"]);
  // The dashboard page at the root (a checkout serves the page npm ci or the browser tests built).
  const page = await fetch(`${url}/`);
  assert.is(page.status, 200);
  assert.match(await page.text(), /<section id="dashboard"/);
  dev.stop();
  assert.is(await dev.exited, 0);
});

test("--history-limit bounds the history the API serves", async () => {
  const dev = await startDev(["--port", "0", "--backend", "memory", "--history-limit", "2", "test/runtime/machines/apps.ts"]);
  const { url } = dev;
  const started = (await (await fetch(`${url}/api/instances`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "helloSequence", input: ["Oslo", "Lima", "Pune"] }) })).json()) as { instanceId: string };
  let status = "";
  for (let i = 0; i < 200 && status !== "Completed"; i++) {
    status = ((await (await fetch(`${url}/api/instances/${started.instanceId}`)).json()) as { status: string }).status;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.is(status, "Completed");
  const history = (await (await fetch(`${url}/api/instances/${started.instanceId}/history`)).json()) as { steps: { seq: number; outcome: string }[] };
  // Four steps (one per city, then the end); the last two are kept.
  assert.equal(history.steps.map((s) => s.seq), [3, 4]);
  assert.is(history.steps[1]!.outcome, "completed");
  dev.stop();
  assert.is(await dev.exited, 0);
});

test("a bad --history-limit is refused", async () => {
  const { code, err } = await refusedDev(["--port", "0", "--history-limit", "many"]);
  assert.is(code, 2);
  assert.match(err, /--history-limit must be a whole number of steps/);
});

test("a bad --port is refused", async () => {
  const { code, err } = await refusedDev(["--port", "http"]);
  assert.is(code, 2);
  assert.match(err, /--port must be an integer/);
});

test("a malformed --allow-origin is refused", async () => {
  const { code, err } = await refusedDev(["--port", "0", "--allow-origin", "localhost:4000/app"]);
  assert.is(code, 2);
  assert.match(err, /--allow-origin: allowed origin "localhost:4000\/app"/);
});

test.run();
