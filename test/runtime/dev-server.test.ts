/** The `nwc dev` HTTP API: every route, CORS, and 4xx errors for bad requests. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startDevServer } from "../../runtime/dev-server.ts";
import { startHost } from "../../runtime/host.ts";
import * as A from "./machines/apps.ts";

const host = await startHost({ app: A.app, backend: "memory", partitions: 2, log: () => undefined });
const dev = await startDevServer(host, { port: 0 });
const api = (path: string, init?: RequestInit) => fetch(`${dev.url}${path}`, init);
const post = (path: string, body: unknown) => api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });

test("GET /api/orchestrations lists name, version and graph, with CORS", async () => {
  const res = await api("/api/orchestrations");
  assert.is(res.status, 200);
  assert.is(res.headers.get("access-control-allow-origin"), "*");
  const list = (await res.json()) as { name: string; version: string; graph: { states: unknown[] } }[];
  const hello = list.find((o) => o.name === "helloSequence")!;
  assert.is(hello.version, "gen-1");
  assert.ok(Array.isArray(hello.graph.states));
});

test("POST /api/instances starts; GET /api/instances/:id shows status and position", async () => {
  const res = await post("/api/instances", { name: "eventWaiter", input: ["go"], instanceId: "dev-1" });
  assert.is(res.status, 201);
  assert.equal(await res.json(), { instanceId: "dev-1" });
  const s = (await (await api("/api/instances/dev-1")).json()) as { status: string; position: string[]; name: string };
  assert.is(s.name, "eventWaiter");
  assert.is(s.status, "Running");
  assert.equal(s.position, ["segment 1"]);
  assert.is((await post("/api/instances/dev-1/events/go", { hello: 1 })).status, 202);
  const done = await host.client.wait("dev-1", { timeoutMs: 5000 });
  assert.equal(done.output, [{ hello: 1 }]);
  const after = (await (await api("/api/instances/dev-1")).json()) as { status: string; position?: unknown };
  assert.is(after.status, "Completed");
  assert.is(after.position, undefined);
});

test("GET /api/instances filters by status and name", async () => {
  await post("/api/instances", { name: "eventWaiter", input: ["never"], instanceId: "dev-2" });
  const running = (await (await api("/api/instances?status=Running&name=eventWaiter")).json()) as { instanceId: string }[];
  assert.ok(running.some((s) => s.instanceId === "dev-2"));
  assert.ok(!running.some((s) => s.instanceId === "dev-1"));
  const completed = (await (await api("/api/instances?status=Completed")).json()) as { instanceId: string }[];
  assert.ok(completed.some((s) => s.instanceId === "dev-1"));
});

test("POST /api/instances/:id/terminate", async () => {
  assert.is((await post("/api/instances/dev-2/terminate", { reason: "stop" })).status, 202);
  const s = await host.client.wait("dev-2", { timeoutMs: 5000 });
  assert.is(s.status, "Terminated");
  assert.is(s.output, "stop");
});

test("errors are { error } with 4xx and change nothing", async () => {
  const bad = await post("/api/instances", "{not json");
  assert.is(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /not valid JSON/);
  const unknown = await post("/api/instances", { name: "nope", instanceId: "dev-3" });
  assert.is(unknown.status, 400);
  assert.match(((await unknown.json()) as { error: string }).error, /unknown orchestration "nope"/);
  assert.is((await api("/api/instances/dev-3")).status, 404);
  assert.is((await post("/api/instances/missing/events/x", 1)).status, 404);
  assert.is((await api("/api/nothing")).status, 404);
  const options = await api("/api/instances", { method: "OPTIONS" });
  assert.is(options.status, 204);
  assert.is(options.headers.get("access-control-allow-origin"), "*");
});

test.after(async () => {
  await dev.close();
  await host.stop();
});

test.run();
