// `nwc dev` against web pages in Chromium: a page from another origin (a tiny
// server on another port) tries to start, list and terminate instances with a
// text/plain POST (no preflight), a JSON POST and a GET; all fail and change
// nothing on the host. The same calls from the allowed (playground) origin work.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";
import { startDevServer } from "../../runtime/dev-server.ts";
import { startHost, type Host } from "../../runtime/host.ts";
import * as A from "../runtime/machines/apps.ts";

const CHROMIUM = process.env.NWC_CHROMIUM ?? "/usr/bin/chromium";

/** A server answering every GET with an empty HTML page: the origin a test page runs in. */
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>page</title>"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let host: Host;
let dev: Awaited<ReturnType<typeof startDevServer>>;
let browser: Browser;
let foreign: Awaited<ReturnType<typeof pageServer>>;
let own: Awaited<ReturnType<typeof pageServer>>;

async function openAt(origin: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${origin}/`);
  return page;
}

/** Runs fetch in the page; answers what the page could see: the status and body, or the error. */
function pageFetch(page: Page, url: string, init: { method?: string; headers?: Record<string, string>; body?: string; mode?: RequestMode }) {
  return page.evaluate(async ([url, init]) => {
    try {
      const res = await fetch(url, init);
      return { status: res.status, type: res.type, body: res.type === "opaque" ? "" : await res.text() };
    } catch (e) {
      return { error: String(e) };
    }
  }, [url, init] as const);
}

test.before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`this test needs Debian's Chromium at ${CHROMIUM} (apt-get install chromium), or NWC_CHROMIUM`);
  foreign = await pageServer();
  own = await pageServer();
  host = await startHost({ app: A.app, backend: "memory", partitions: 2, log: () => undefined });
  dev = await startDevServer(host, { port: 0, allowOrigins: [own.origin], log: () => undefined });
  await host.client.start(A.eventWaiter, ["never"], { instanceId: "victim" });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
});

test.after(async () => {
  await browser?.close();
  await dev?.close();
  await host?.stop();
  foreign?.server.close();
  own?.server.close();
});

const startBody = (id: string) => JSON.stringify({ name: "eventWaiter", input: ["x"], instanceId: id });

test("a page from another origin can neither start, list, read nor terminate", async () => {
  const page = await openAt(foreign.origin);
  // A CORS "simple" request: sent without preflight, so only the server can stop it.
  const plain = await pageFetch(page, `${dev.url}/api/instances`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: startBody("xo-plain") });
  assert.ok("error" in plain, `text/plain POST must fail in the page: ${JSON.stringify(plain)}`);
  const opaque = await pageFetch(page, `${dev.url}/api/instances`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: startBody("xo-opaque"), mode: "no-cors" });
  assert.is(opaque.type, "opaque", "no-cors gives the page nothing to read");
  const json = await pageFetch(page, `${dev.url}/api/instances`, { method: "POST", headers: { "Content-Type": "application/json" }, body: startBody("xo-json") });
  assert.ok("error" in json, `JSON POST must fail its preflight: ${JSON.stringify(json)}`);
  const list = await pageFetch(page, `${dev.url}/api/instances`, {});
  assert.ok("error" in list, `GET must not be readable: ${JSON.stringify(list)}`);
  const status = await pageFetch(page, `${dev.url}/api/instances/victim`, {});
  assert.ok("error" in status);
  await pageFetch(page, `${dev.url}/api/instances/victim/terminate`, { method: "POST", body: '{"reason":"pwned"}', mode: "no-cors" });
  await pageFetch(page, `${dev.url}/api/instances/victim/terminate`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: '{"reason":"pwned"}' });

  for (const id of ["xo-plain", "xo-opaque", "xo-json"]) assert.is(await host.client.status(id), undefined, `${id} must not exist`);
  assert.is((await host.client.status("victim"))?.status, "Running", "the victim was not terminated");
  await page.close();
});

test("a page from localhost (another origin than 127.0.0.1) is refused too", async () => {
  const page = await openAt(own.origin.replace("127.0.0.1", "localhost"));
  const json = await pageFetch(page, `${dev.url}/api/instances`, { method: "POST", headers: { "Content-Type": "application/json" }, body: startBody("xo-localhost") });
  assert.ok("error" in json);
  assert.is(await host.client.status("xo-localhost"), undefined);
  await page.close();
});

test("the allowed (playground) origin starts, lists, reads and terminates", async () => {
  const page = await openAt(own.origin);
  const started = await pageFetch(page, `${dev.url}/api/instances`, { method: "POST", headers: { "Content-Type": "application/json" }, body: startBody("own-1") });
  assert.equal(started, { status: 201, type: "cors", body: '{"instanceId":"own-1"}' });
  const list = await pageFetch(page, `${dev.url}/api/instances?status=Running`, {});
  assert.is(list.status, 200);
  assert.ok((JSON.parse(list.body!) as { instanceId: string }[]).some((s) => s.instanceId === "own-1"));
  // Even the allowed origin must write JSON: a text/plain POST is readable there, and a 415.
  const plain = await pageFetch(page, `${dev.url}/api/instances`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: startBody("own-plain") });
  assert.is(plain.status, 415);
  assert.is(await host.client.status("own-plain"), undefined);
  const stopped = await pageFetch(page, `${dev.url}/api/instances/own-1/terminate`, { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"reason":"done"}' });
  assert.is(stopped.status, 202);
  assert.is((await host.client.wait("own-1", { timeoutMs: 5000 })).status, "Terminated");
  await page.close();
});

test.run();
