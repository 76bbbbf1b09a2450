// The dashboard in Chromium, served by `nwc playground` (another origin than
// its `nwc dev`, allowed with --allow-origin): lists instances, filters by
// status, opens one to show its position on its graph, input and output, and
// picks up changes on its periodic refresh.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DevApi } from "../../playground/src/adapters/dev-api.ts";
import { openPlayground, type Session } from "./browser.ts";
import { startDevProcess, type DevProcess } from "./dev-process.ts";

let dev: DevProcess;
let devUrl = "";
let s: Session;
let api: DevApi;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test.before(async () => {
  s = await openPlayground({
    query: async (server) => {
      // The playground's origin in this test is a free port, not 5173: nwc dev must allow it.
      dev = await startDevProcess("test/playground/fixtures/dev-app.ts", ["--allow-origin", new URL(server.url).origin]);
      devUrl = dev.url;
      api = new DevApi(devUrl);
      await api.start("helloSequence", ["Tokyo", "Lima"], "hello-1");
      await api.start("approval", { id: "PO-9" }, "approval-1");
      await until("both instances to settle", async () => {
        const [h, a] = await Promise.all([api.status("hello-1"), api.status("approval-1")]);
        return h.status === "Completed" && a.position?.length ? true : undefined;
      });
      return `?tab=dashboard&dev=${encodeURIComponent(devUrl)}`;
    },
  });
});

test.after(async () => {
  await s?.close();
  await dev?.stop();
});

test("connect lists the instances of the running host", async () => {
  assert.is(await s.page.inputValue("#dev-url"), devUrl);
  await s.page.click("#connect");
  await s.page.waitForSelector("#instances tr.instance[data-id=approval-1]", { timeout: 10_000 });
  const rows = await s.page.$$eval("#instances tr.instance", (trs) => trs.map((tr) => [tr.getAttribute("data-id"), tr.querySelector(".badge")?.textContent]));
  assert.equal(rows.sort(), [["approval-1", "Running"], ["hello-1", "Completed"]]);
  assert.match((await s.page.textContent("#dash-status")) ?? "", /2 instances/);
});

test("filter by status", async () => {
  await s.page.selectOption("#status-filter", "Running");
  await s.page.waitForFunction(() => document.querySelectorAll("#instances tr.instance").length === 1, undefined, { timeout: 10_000 });
  assert.is(await s.page.getAttribute("#instances tr.instance", "data-id"), "approval-1");
  await s.page.selectOption("#status-filter", "");
  await s.page.waitForFunction(() => document.querySelectorAll("#instances tr.instance").length === 2, undefined, { timeout: 10_000 });
});

test("open an instance: its position on its graph, status and input", async () => {
  await s.page.click("#instances tr.instance[data-id=approval-1]");
  await s.page.waitForSelector("#instance-detail svg g.state.active", { timeout: 10_000 });
  const active = await s.page.$$eval("#instance-detail g.state.active text", (ts) => ts.map((t) => t.getAttribute("data-label")));
  // Labels are the awaited expression as written in the source (type arguments included), as `nwc graph` shows them.
  assert.equal(active, ['await ctx.waitForEvent<{ by: string }>("decision") (line 15)']);
  assert.match((await s.page.textContent("#instance-detail .input")) ?? "", /"id": "PO-9"/);
  assert.match((await s.page.textContent("#instance-detail .output")) ?? "", /\(none\)/);
  await s.screenshot("10-dashboard-running");
});

test("the periodic refresh shows the instance completing after its event", async () => {
  await api.raise("approval-1", "decision", { by: "grace" });
  await s.page.waitForFunction(() => document.querySelector("#instance-detail .badge")?.textContent === "Completed", undefined, { timeout: 15_000 });
  assert.match((await s.page.textContent("#instance-detail .output")) ?? "", /"approvedBy": "grace"/);
  assert.equal(await s.page.$$eval("#instance-detail g.state.active", (gs) => gs.map((g) => g.getAttribute("data-id"))), ["end"]);
  assert.match((await s.page.textContent("#instances tr.instance[data-id=approval-1]")) ?? "", /Completed/);
  await s.screenshot("11-dashboard-completed");
  assert.equal(s.errors, []);
});

test("an unreachable URL is a clear error on the page", async () => {
  await s.page.fill("#dev-url", "http://127.0.0.1:9");
  await s.page.click("#connect");
  await s.page.waitForSelector("#dash-status.error", { timeout: 10_000 });
  assert.match((await s.page.textContent("#dash-status")) ?? "", /cannot reach http:\/\/127\.0\.0\.1:9\/api\/orchestrations.*nwc dev/);
});

test.run();
