// The dashboard as `nwc dev` serves it, in Chromium: same origin as the API, it
// connects on open; starts an instance from the page, raises an event to a
// waiting one, terminates one, follows parent and child links, shows a failed
// instance's error and source lines, reads histories, and draws graphs whose
// boxes hold their labels without overlapping.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DevApi } from "../../playground/src/adapters/dev-api.ts";
import { buildPlayground } from "../../playground/serve.ts";
import { openPage, type Session } from "./browser.ts";
import { startDevProcess, type DevProcess } from "./dev-process.ts";

const FIXTURE = "test/playground/fixtures/dev-app.ts";
let dev: DevProcess;

/** The 1-based line of the fixture where `text` first appears. */
function lineOf(text: string): number {
  const line = readFileSync(fileURLToPath(new URL(`../../${FIXTURE}`, import.meta.url)), "utf8").split("\n").findIndex((l) => l.includes(text)) + 1;
  assert.ok(line > 0, `${text} is in the fixture`);
  return line;
}
let s: Session;
let api: DevApi;

/** Waits for the opened instance's badge to read `status`. */
async function detailStatus(instanceId: string, status: string): Promise<void> {
  await s.page.waitForSelector(`#instance-detail[data-id="${instanceId}"] h3 .badge.${status}`, { timeout: 15_000 });
}

async function openRow(instanceId: string): Promise<void> {
  await s.page.click(`#instances tr.instance[data-id="${instanceId}"]`, { timeout: 10_000 });
  await s.page.waitForSelector(`#instance-detail[data-id="${instanceId}"]`, { timeout: 10_000 });
}

test.before(async () => {
  // The page nwc dev serves is the playground's build: make it current before nwc dev looks for it.
  await buildPlayground({ log: (l) => console.log(l) });
  dev = await startDevProcess(FIXTURE);
  api = new DevApi(dev.url);
  await api.start("helloSequence", ["Tokyo"], "before-open");
  s = await openPage(`${dev.url}/`);
});

test.after(async () => {
  await s?.close();
  await dev?.stop();
});

test("open: the page connects to the nwc dev that served it and lists its instances", async () => {
  await s.page.waitForSelector("#instances tr.instance[data-id=before-open]", { timeout: 15_000 });
  assert.ok(await s.page.isVisible("#dashboard"), "nwc dev opens on the dashboard tab");
  assert.is(await s.page.inputValue("#dev-url"), dev.url);
  assert.match((await s.page.textContent("#dash-status")) ?? "", new RegExp(`connected to ${dev.url.replace(/[.]/g, "\\.")}`));
  const names = await s.page.$$eval("#start-name option", (os) => os.map((o) => (o as HTMLOptionElement).value));
  assert.equal(names, ["approval", "approveAll", "checkout", "helloSequence", "longLabel"]);
});

test("start: an orchestration with JSON input appears, opens and completes", async () => {
  await s.page.selectOption("#start-name", "helloSequence");
  await s.page.fill("#start-input", '["Oslo", "Quito"]');
  await s.page.fill("#start-id", "started-1");
  await s.page.click("#start");
  await detailStatus("started-1", "Completed");
  assert.match((await s.page.textContent("#instance-detail .output")) ?? "", /"Hello Oslo!",\s*"Hello Quito!"/);
  await s.page.waitForSelector("#instances tr.instance[data-id=started-1]", { timeout: 10_000 });
  assert.is(await s.page.evaluate(() => location.hash), "#instance=started-1");
  assert.is(await s.page.inputValue("#start-id"), "", "an id is used once");
  // Bad JSON is refused in the page: nothing is started.
  await s.page.fill("#start-input", "[oops");
  await s.page.fill("#start-id", "never-started");
  await s.page.click("#start");
  await s.page.waitForSelector("#start-status.error", { timeout: 5000 });
  assert.match((await s.page.textContent("#start-status")) ?? "", /input is not valid JSON/);
  assert.is((await api.list()).some((x) => x.instanceId === "never-started"), false);
  await s.page.fill("#start-id", "");
});

test("raise: a waiting instance gets its event from the page and completes", async () => {
  await s.page.selectOption("#start-name", "approval");
  await s.page.fill("#start-input", '{ "id": "PO-7" }');
  await s.page.fill("#start-id", "approve-1");
  await s.page.click("#start");
  await detailStatus("approve-1", "Running");
  // The event it waits for is filled in once the instance waits for it.
  await s.page.waitForFunction(() => (document.getElementById("raise-name") as HTMLInputElement).value === "decision", undefined, { timeout: 15_000 });
  assert.ok(await s.page.isVisible("#instance-actions"));
  await s.screenshot("20-dashboard-waiting");
  await s.page.fill("#raise-data", '{ "by": "ada" }');
  await s.page.click("#raise-event");
  await detailStatus("approve-1", "Completed");
  assert.match((await s.page.textContent("#instance-detail .output")) ?? "", /"approvedBy": "ada"/);
  assert.not.ok(await s.page.isVisible("#instance-actions"), "a finished instance has no actions");
});

test("terminate: a running instance ends as Terminated with the reason given", async () => {
  await api.start("approval", { id: "PO-8" }, "terminate-1");
  await openRow("terminate-1");
  await s.page.waitForSelector("#instance-actions:not([hidden])", { timeout: 10_000 });
  await s.page.fill("#terminate-reason", "cancelled by the buyer");
  await s.page.click("#terminate");
  await detailStatus("terminate-1", "Terminated");
  assert.match((await s.page.textContent("#instance-detail .output")) ?? "", /cancelled by the buyer/);
  assert.is((await api.status("terminate-1")).status, "Terminated");
});

test("parent and child: the parent links to its child, the child back to its parent", async () => {
  await api.start("approveAll", ["x"], "parent-1");
  await openRow("parent-1");
  await s.page.waitForSelector('#instance-detail .children a[data-id="parent-1-x"]', { timeout: 15_000 });
  await s.page.click('#instance-detail .children a[data-id="parent-1-x"]');
  await s.page.waitForSelector('#instance-detail[data-id="parent-1-x"]', { timeout: 10_000 });
  assert.is(await s.page.evaluate(() => location.hash), "#instance=parent-1-x");
  assert.is(await s.page.textContent("#instance-detail .parent a"), "parent-1");
  await s.screenshot("21-dashboard-child");
  await s.page.click("#instance-detail .parent a");
  await s.page.waitForSelector('#instance-detail[data-id="parent-1"]', { timeout: 10_000 });
  // Back in the browser's history is the child again.
  await s.page.goBack();
  await s.page.waitForSelector('#instance-detail[data-id="parent-1-x"]', { timeout: 10_000 });
});

test("a failed instance: its error, the await its failing step resumed from (marked on the graph), the line that threw", async () => {
  await api.start("checkout", { amount: 500 }, "fail-1");
  await openRow("fail-1");
  await detailStatus("fail-1", "Failed");
  await s.page.waitForSelector("#instance-detail .failed-step", { timeout: 10_000 });
  assert.match((await s.page.textContent("#instance-detail .failure-error")) ?? "", /RangeError: amount 500 is over the limit of 100/);
  const awaitLine = lineOf("await ctx.call(charge, order.amount)");
  assert.is(await s.page.textContent("#instance-detail .await-line"), `line ${awaitLine}: await ctx.call(charge, order.amount)`);
  assert.match((await s.page.textContent("#instance-detail .failed-step")) ?? "", /from activity charge: RangeError: amount 500/);
  assert.match((await s.page.textContent("#instance-detail .thrown-at")) ?? "", new RegExp(`^dev-app\\.ts:${lineOf("throw new RangeError")}:\\d+$`));
  assert.equal(await s.page.$$eval("#instance-detail svg g.state.failed text", (ts) => ts.map((t) => t.getAttribute("data-label"))), [`await ctx.call(charge, order.amount) (line ${awaitLine})`]);
  await s.screenshot("22-dashboard-failed");
});

test("history: each step with what woke it, what it issued and the line it waits at", async () => {
  await openRow("approve-1");
  await s.page.waitForSelector("#instance-detail ol.history li.step", { timeout: 10_000 });
  const steps = await s.page.$$eval("#instance-detail ol.history li.step", (lis) => lis.map((li) => li.textContent ?? ""));
  assert.is(steps.length, 3, steps.join("\n"));
  assert.match(steps[0]!, new RegExp(`^#1 .*issued activity greet · waits at line ${lineOf("await ctx.call(greet, req.id)")}: await ctx\\.call\\(greet, req\\.id\\)$`));
  assert.match(steps[1]!, /woke by activity greet ok .*waits at line \d+: await ctx\.waitForEvent/);
  assert.match(steps[2]!, /woke by event decision ok · completed$/);
  // The parent's history names its child, as a link.
  await openRow("parent-1");
  await s.page.waitForSelector('#instance-detail ol.history a[data-id="parent-1-x"]', { timeout: 10_000 });
  assert.match((await s.page.textContent("#instance-detail ol.history li.step")) ?? "", /issued sub-orchestration approval parent-1-x/);
  await s.screenshot("24-dashboard-history");
});

test("graph: every label fits its box, no two boxes overlap (long labels wrap, loops too)", async () => {
  await api.start("longLabel", "Ada", "long-1");
  for (const id of ["long-1", "started-1", "approve-1"]) {
    await openRow(id);
    await s.page.waitForSelector(`#instance-detail[data-id="${id}"] svg g.state`, { timeout: 10_000 });
    const boxes = await s.page.$$eval("#instance-detail svg g.state", (gs) => gs.map((g) => {
      const rect = (g.querySelector("rect") as SVGRectElement).getBBox();
      const text = (g.querySelector("text") as SVGTextElement).getBBox();
      return { id: g.getAttribute("data-id")!, rect: { x: rect.x, y: rect.y, w: rect.width, h: rect.height }, text: { x: text.x, y: text.y, w: text.width, h: text.height }, lines: g.querySelectorAll("tspan").length };
    }));
    assert.ok(boxes.length >= 3, `${id}: a graph is drawn`);
    for (const b of boxes) {
      const inside = b.text.x >= b.rect.x && b.text.y >= b.rect.y && b.text.x + b.text.w <= b.rect.x + b.rect.w && b.text.y + b.text.h <= b.rect.y + b.rect.h;
      assert.ok(inside, `${id}: the label of ${b.id} (${JSON.stringify(b.text)}) fits its box ${JSON.stringify(b.rect)}`);
    }
    for (const a of boxes) for (const b of boxes) {
      if (a === b) continue;
      const overlap = a.rect.x < b.rect.x + b.rect.w && b.rect.x < a.rect.x + a.rect.w && a.rect.y < b.rect.y + b.rect.h && b.rect.y < a.rect.y + a.rect.h;
      assert.not.ok(overlap, `${id}: ${a.id} overlaps ${b.id}`);
    }
    if (id === "long-1") assert.ok(boxes.some((b) => b.lines > 1), "the long await expression wraps");
  }
  await s.screenshot("23-dashboard-long-labels");
  assert.equal(s.errors, []);
});

test.run();
