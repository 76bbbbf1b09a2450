/** The `nwc dev` HTTP API: every route, who may call it (Host, Origin, content type), and 4xx errors for bad requests. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { request } from "node:http";
import { startDevServer } from "../../runtime/dev-server.ts";
import { startHost } from "../../runtime/host.ts";
import * as A from "./machines/apps.ts";

const host = await startHost({ app: A.app, backend: "memory", partitions: 2, log: () => undefined });
const PAGE = "http://127.0.0.1:5173";
const dev = await startDevServer(host, { port: 0, log: () => undefined });
const port = Number(new URL(dev.url).port);
const api = (path: string, init?: RequestInit) => fetch(`${dev.url}${path}`, init);
const post = (path: string, body: unknown) => api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });

/** A request with exactly these headers (fetch would not let a test set Host). */
function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers, setHost: false }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test("GET /api/orchestrations lists name, version and graph; no CORS header without an Origin", async () => {
  const res = await api("/api/orchestrations");
  assert.is(res.status, 200);
  assert.is(res.headers.get("access-control-allow-origin"), null);
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

test("GET /api/instances/:id/history: { instanceId, steps } oldest first; 404 for an unknown id", async () => {
  const res = await api("/api/instances/dev-1/history");
  assert.is(res.status, 200);
  const h = (await res.json()) as { instanceId: string; steps: { seq: number; outcome: string; wakes: { kind: string; name?: string }[]; commands: { kind: string; name?: string }[] }[] };
  assert.is(h.instanceId, "dev-1");
  assert.equal(h.steps.map((s) => s.seq), [1, 2]);
  assert.equal(h.steps.map((s) => s.outcome), ["running", "completed"]);
  assert.equal(h.steps[0]!.commands.at(-1), { kind: "waitEvent", taskId: 1, name: "go" });
  assert.equal(h.steps[1]!.wakes, [{ taskId: 1, kind: "event", name: "go", ok: true }]);
  assert.equal(h, await host.client.history("dev-1"));
  const missing = await api("/api/instances/nobody/history");
  assert.is(missing.status, 404);
  assert.match(((await missing.json()) as { error: string }).error, /no instance with id "nobody"/);
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

test("GET /api/instances/:id says what a waiting instance waits for; ?createdFrom filters by creation time", async () => {
  await post("/api/instances", { name: "eventWaiter", input: ["ping"], instanceId: "dev-w" });
  const s = (await (await api("/api/instances/dev-w")).json()) as { waits: { events: string[]; timers: unknown[]; activities: unknown[] }; waitingAt: string[] };
  assert.equal(s.waits, { events: ["ping"], timers: [], activities: [] });
  assert.equal(s.waitingAt, ["segment 1"]);
  const later = (await (await api(`/api/instances?createdFrom=${Date.now() + 60_000}`)).json()) as unknown[];
  assert.equal(later, []);
  const since = (await (await api(`/api/instances?createdFrom=${Date.now() - 60_000}`)).json()) as { instanceId: string }[];
  assert.ok(since.some((x) => x.instanceId === "dev-w"));
  assert.is((await api("/api/instances?createdFrom=yesterday")).status, 400);
});

test("POST /api/instances/:id/purge: 409 while running, 202 once finished, then the instance is gone", async () => {
  const running = await post("/api/instances/dev-w/purge", {});
  assert.is(running.status, 409);
  assert.match(((await running.json()) as { error: string }).error, /dev-w is Running; only Completed, Failed or Terminated/);
  assert.is((await post("/api/instances/dev-w/events/ping", 1)).status, 202);
  await host.client.wait("dev-w", { timeoutMs: 5000 });
  assert.is((await post("/api/instances/dev-w/purge", {})).status, 202);
  for (let i = 0; i < 200 && (await api("/api/instances/dev-w")).status !== 404; i++) await new Promise((r) => setTimeout(r, 10));
  assert.is((await api("/api/instances/dev-w")).status, 404);
  assert.is((await post("/api/instances/nope/purge", {})).status, 404);
});

test("entities: POST /api/entities/:name/:key/:op signals, GET /api/entities/:name/:key reads (404 without state)", async () => {
  assert.is((await api("/api/entities/Counter/dev-k")).status, 404);
  assert.is((await post("/api/entities/Counter/dev-k/add", 5)).status, 202);
  let body: unknown;
  for (let i = 0; i < 200; i++) {
    const res = await api("/api/entities/Counter/dev-k");
    if (res.status === 200) {
      body = await res.json();
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(body, { name: "Counter", key: "dev-k", state: { value: 5 } });
  assert.is((await post("/api/entities/Counter/dev-k/nosuchop", 1)).status, 400);
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
});

test("GET /api lists every route", async () => {
  const res = await api("/api");
  assert.is(res.status, 200);
  const routes = (await res.json()) as { method: string; path: string; does: string }[];
  assert.equal(routes.map((r) => `${r.method} ${r.path}`), [
    "GET /api", "GET /api/orchestrations", "GET /api/versions", "POST /api/instances", "GET /api/instances", "GET /api/instances/:id",
    "GET /api/instances/:id/history", "POST /api/instances/:id/events/:name", "POST /api/instances/:id/terminate", "POST /api/instances/:id/purge", "POST /api/orchestrations/:name/upgrade",
    "GET /api/entities/:name/:key", "POST /api/entities/:name/:key/:op",
  ]);
  assert.ok(routes.every((r) => r.does.length > 0));
  assert.match(((await (await api("/nothing")).json()) as { error: string }).error, /GET \/api lists the routes/);
});

test("GET /api/versions: what client.versions() says (hand-written machines have no module to store)", async () => {
  const res = await api("/api/versions");
  assert.is(res.status, 200);
  assert.equal(await res.json(), await host.client.versions());
});

test("a malformed percent-encoding in the path is a 400, not a 500", async () => {
  const res = await api("/api/instances/%E0%A4%A");
  assert.is(res.status, 400);
  assert.match(((await res.json()) as { error: string }).error, /malformed percent-encoding in the path segment "%E0%A4%A"/);
  assert.is((await post("/api/instances/%ZZ/terminate", { reason: "x" })).status, 400);
  // A well-formed escape still reaches the instance it names.
  await post("/api/instances", { name: "eventWaiter", input: ["x"], instanceId: "a b" });
  assert.is((await api("/api/instances/a%20b")).status, 200);
});

test("an empty instanceId is refused, not replaced by a random one", async () => {
  const before = (await host.client.list({})).length;
  const res = await post("/api/instances", { name: "eventWaiter", input: ["x"], instanceId: "" });
  assert.is(res.status, 400);
  assert.match(((await res.json()) as { error: string }).error, /instanceId must be a non-empty string/);
  assert.is((await host.client.list({})).length, before);
  assert.is((await post("/api/instances", { name: "eventWaiter", input: ["x"], instanceId: 7 })).status, 400);
});

test("writes need Content-Type: application/json (415 otherwise) and change nothing", async () => {
  const body = JSON.stringify({ name: "eventWaiter", input: ["x"], instanceId: "plain-1" });
  const plain = await api("/api/instances", { method: "POST", headers: { "Content-Type": "text/plain" }, body });
  assert.is(plain.status, 415);
  assert.match(((await plain.json()) as { error: string }).error, /Content-Type: application\/json/);
  const form = await api("/api/instances", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "name=eventWaiter" });
  assert.is(form.status, 415);
  const none = await raw("POST", "/api/instances/dev-1/terminate", { Host: `127.0.0.1:${port}` });
  assert.is(none.status, 415);
  assert.is(await host.client.status("plain-1"), undefined);
  const json = await api("/api/instances", { method: "POST", headers: { "Content-Type": "application/json; charset=utf-8" }, body });
  assert.is(json.status, 201);
});

test("only loopback Host names with this port are answered (DNS rebinding)", async () => {
  for (const ok of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
    assert.is((await raw("GET", "/api/orchestrations", { Host: ok })).status, 200, ok);
  }
  for (const bad of ["attacker.example", `attacker.example:${port}`, "127.0.0.1", `127.0.0.1:${port + 1}`, `127.0.0.1.attacker.example:${port}`]) {
    const res = await raw("GET", "/api/instances", { Host: bad });
    assert.is(res.status, 421, bad);
    assert.match(JSON.parse(res.text).error, /is not this server/);
    assert.not.match(res.text, /dev-1/);
  }
  const started = await raw("POST", "/api/instances", { Host: "attacker.example", "Content-Type": "application/json" }, JSON.stringify({ name: "eventWaiter", input: ["x"], instanceId: "rebound-1" }));
  assert.is(started.status, 421);
  assert.is((await raw("GET", "/api", {})).status, 400, "no Host at all: Node refuses HTTP/1.1 without one");
  assert.is(await host.client.status("rebound-1"), undefined);
});

test("the playground's origin gets CORS headers; another origin is refused with none, and changes nothing", async () => {
  const own = await api("/api/instances", { headers: { Origin: PAGE } });
  assert.is(own.status, 200);
  assert.is(own.headers.get("access-control-allow-origin"), PAGE);
  assert.is(own.headers.get("vary"), "Origin");
  const preflight = await api("/api/instances", { method: "OPTIONS", headers: { Origin: PAGE, "Access-Control-Request-Method": "POST" } });
  assert.is(preflight.status, 204);
  assert.is(preflight.headers.get("access-control-allow-origin"), PAGE);
  assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /Content-Type/);

  const evil = "http://127.0.0.1:8666";
  const read = await api("/api/instances", { headers: { Origin: evil } });
  assert.is(read.status, 403);
  assert.is(read.headers.get("access-control-allow-origin"), null);
  assert.match(((await read.json()) as { error: string }).error, /--allow-origin http:\/\/127\.0\.0\.1:8666/);
  const pre = await api("/api/instances", { method: "OPTIONS", headers: { Origin: evil, "Access-Control-Request-Method": "POST" } });
  assert.is(pre.status, 403);
  assert.is(pre.headers.get("access-control-allow-origin"), null);
  const write = await api("/api/instances", { method: "POST", headers: { Origin: evil, "Content-Type": "application/json" }, body: JSON.stringify({ name: "eventWaiter", input: ["x"], instanceId: "evil-1" }) });
  assert.is(write.status, 403);
  assert.is((await api("/api/instances", { headers: { Origin: "null" } })).status, 403);
  assert.is(await host.client.status("evil-1"), undefined);
});

test("another origin never sees a failed instance's stack (server paths)", async () => {
  await post("/api/instances", { name: "failing", input: null, instanceId: "fail-1" });
  const failed = await host.client.wait("fail-1", { timeoutMs: 5000 });
  assert.is(failed.status, "Failed");
  assert.ok(failed.error?.stack, "the failure has a stack, so the check below can fail");
  const res = await api("/api/instances/fail-1", { headers: { Origin: "http://evil.example" } });
  assert.is(res.status, 403);
  const text = await res.text();
  assert.not.match(text, /stack|\.ts:\d+/);
});

test("--allow-origin adds origins; a malformed one is refused at start", async () => {
  const other = await startDevServer(host, { port: 0, allowOrigins: ["http://localhost:3000/"] });
  try {
    assert.equal(other.allowedOrigins, ["http://localhost:3000"]);
    const res = await fetch(`${other.url}/api/orchestrations`, { headers: { Origin: "http://localhost:3000" } });
    assert.is(res.headers.get("access-control-allow-origin"), "http://localhost:3000");
    assert.is((await fetch(`${other.url}/api/orchestrations`, { headers: { Origin: PAGE } })).status, 403, "the given list replaces the default");
  } finally {
    await other.close();
  }
  for (const bad of ["localhost:3000", "http://localhost:3000/app", "nonsense"]) {
    const error = await startDevServer(host, { port: 0, allowOrigins: [bad] }).then(async (s) => (await s.close(), undefined), (e: Error) => e);
    assert.match(error?.message ?? "", /allowed origin .* (must be|is not a URL)/, bad);
  }
});

test("its own origin (the dashboard page it serves) may call it without CORS headers; other paths are the page", async () => {
  const served: string[] = [];
  const withPage = await startDevServer(host, { port: 0, log: () => undefined, page: (req, res) => { served.push(req.url!); res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html>"); } });
  try {
    const origin = withPage.url;
    const started = await fetch(`${withPage.url}/api/instances`, { method: "POST", headers: { Origin: origin, "Content-Type": "application/json" }, body: JSON.stringify({ name: "eventWaiter", input: ["x"], instanceId: "own-origin-1" }) });
    assert.is(started.status, 201);
    assert.is(started.headers.get("access-control-allow-origin"), null, "same origin needs no CORS");
    const local = await fetch(`${withPage.url}/api/orchestrations`, { headers: { Origin: origin.replace("127.0.0.1", "localhost") } });
    assert.is(local.status, 200, "localhost with its port is this server too");
    // Still JSON-only, and another port of the same host is another origin.
    assert.is((await fetch(`${withPage.url}/api/instances`, { method: "POST", headers: { Origin: origin, "Content-Type": "text/plain" }, body: "{}" })).status, 415);
    assert.is((await fetch(`${withPage.url}/api/orchestrations`, { headers: { Origin: `http://127.0.0.1:${Number(new URL(origin).port) + 1}` } })).status, 403);
    assert.is((await fetch(`${withPage.url}/`)).status, 200);
    assert.is((await fetch(`${withPage.url}/assets/x.js`)).status, 200);
    assert.equal(served, ["/", "/assets/x.js"]);
    assert.is((await fetch(`${withPage.url}/api/nothing`)).status, 404, "/api stays the API's");
    // The Host check applies to the page too (DNS rebinding).
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: Number(new URL(withPage.url).port), path: "/", headers: { Host: "attacker.example" }, setHost: false }, (res) => { res.resume(); resolve(res.statusCode!); });
      req.on("error", reject);
      req.end();
    });
    assert.is(rebound, 421);
    assert.equal(served, ["/", "/assets/x.js"]);
  } finally {
    await withPage.close();
  }
  // Without a page, other paths are 404 as before.
  assert.is((await api("/")).status, 404);
});

test.after(async () => {
  await dev.close();
  await host.stop();
});

test.run();
