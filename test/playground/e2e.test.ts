// The playground end to end in Chromium: diagnostics for an effect appear
// inline, the fixed program's machine is drawn, a run shows its result, and a
// crash and resume ends with the same result as an uncrashed run.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openPlayground, setEditorText, type Session } from "./browser.ts";

let s: Session;

const WITH_EFFECT = `import { activity, orchestration } from "nwc";

export const greet = activity("greet", async (name: string) => \`Hello \${name}!\`);

export const helloSequence = orchestration("helloSequence", async (ctx, cities: string[]) => {
  const started = Date.now();
  const out: string[] = [];
  for (const c of cities) out.push(await ctx.call(greet, c));
  return { out, started };
});
`;

test.before(async () => {
  s = await openPlayground();
  await s.page.waitForSelector("body[data-compiled=ok]", { timeout: 90_000 });
});

test.after(async () => {
  await s?.close();
});

test("the first preset compiles and its machine is drawn", async () => {
  const ids = await s.page.$$eval("#graph g.state", (gs) => gs.map((g) => g.getAttribute("data-id")));
  assert.ok(ids.includes("start") && ids.includes("end") && ids.length >= 3, `states: ${ids}`);
  assert.match(await s.page.textContent("#diagnostics") ?? "", /No diagnostics/);
  await s.screenshot("01-hello-compiled");
});

test("an effect in the orchestration is a diagnostic, inline and in the list; fixing it draws the graph again", async () => {
  await setEditorText(s.page, WITH_EFFECT);
  await s.page.waitForSelector("body[data-compiled=errors]", { timeout: 30_000 });
  await s.page.waitForSelector(".cm-lint-marker-error", { timeout: 10_000 });
  const list = (await s.page.textContent("#diagnostics")) ?? "";
  assert.match(list, /NWC1\d{3}/);
  assert.match(list, /Date\.now/);
  assert.match(list, /^6:/m, "reported on the line of Date.now()");
  assert.ok(await s.page.$(".cm-lintRange-error"), "the offending range is underlined");
  await s.screenshot("02-effect-diagnostic");

  await setEditorText(s.page, WITH_EFFECT.replace("Date.now()", "ctx.now()"));
  await s.page.waitForSelector("body[data-compiled=ok]", { timeout: 30_000 });
  assert.match((await s.page.textContent("#diagnostics")) ?? "", /No diagnostics/);
  assert.not.ok(await s.page.$(".cm-lint-marker-error"));
  const labels = await s.page.$$eval("#graph g.state text", (ts) => ts.map((t) => t.textContent));
  assert.ok(labels.some((l) => /ctx\.call\(greet, c\)/.test(l ?? "")), `labels: ${labels}`);
});

test("a type error is shown too", async () => {
  await setEditorText(s.page, WITH_EFFECT.replace("Date.now()", "ctx.now()").replace("const out: string[]", "const out: number[]"));
  await s.page.waitForSelector("body[data-compiled=errors]", { timeout: 30_000 });
  assert.match((await s.page.textContent("#diagnostics")) ?? "", /TS2345/);
  await setEditorText(s.page, WITH_EFFECT.replace("Date.now()", "ctx.now()"));
  await s.page.waitForSelector("body[data-compiled=ok]", { timeout: 30_000 });
});

test("run: the result, the timeline and the end state highlighted", async () => {
  await s.page.click("#run");
  await s.page.waitForSelector("#result.completed, #result.failed", { timeout: 10_000 });
  const result = (await s.page.textContent("#result")) ?? "";
  assert.ok(await s.page.$("#result.completed"), result);
  assert.match(result, /"out":\["Hello Tokyo!","Hello Seattle!","Hello London!"\]/);
  assert.match(result, /"started":1767258000000/, "ctx.now() is the virtual clock's start");
  assert.is(await s.page.$$eval("#timeline li", (l) => l.length), 4);
  assert.equal(await s.page.$$eval("#graph g.state.active", (gs) => gs.map((g) => g.getAttribute("data-id"))), ["end"]);
  await s.screenshot("03-hello-run");
});

test("the failure rate of the activity simulator reaches the orchestration as an error", async () => {
  await s.page.fill("#failure-rate", "1");
  await s.page.click("#reset");
  await s.page.click("#run");
  await s.page.waitForSelector("#result.failed", { timeout: 10_000 });
  assert.match((await s.page.textContent("#result")) ?? "", /Failed: SimulatedFailure: simulated failure of activity greet \(attempt 1\)/);
  await s.page.fill("#failure-rate", "0");
  await s.page.click("#reset");
});

test("approval preset: waits at its race, crash and resume, raise the event: same result as an uncrashed run", async () => {
  await s.page.selectOption("#preset", "approval");
  await s.page.waitForFunction(() => document.querySelector("#orchestration")?.textContent?.includes("approval") && document.body.dataset.compiled === "ok", undefined, { timeout: 30_000 });
  await s.page.click("#run");
  await s.page.waitForFunction(() => /waiting for event "decision"/.test(document.querySelector("#run-status")?.textContent ?? ""), undefined, { timeout: 10_000 });
  const waiting = await s.page.$$eval("#graph g.state.active text", (ts) => ts.map((t) => t.textContent));
  assert.ok(waiting.some((l) => /race\(\[decision, timeout\]\)/.test(l ?? "")), `active: ${waiting}`);
  const frameBefore = await s.page.textContent("#frame");
  await s.page.click("#crash");
  await s.page.waitForSelector("#crash-report:not([hidden])", { timeout: 10_000 });
  assert.is(await s.page.getAttribute("#crash-report", "data-equal"), "true");
  assert.match((await s.page.textContent("#timeline")) ?? "", /crashed after step 2/);
  assert.is(await s.page.textContent("#frame"), frameBefore, "the restored frame is the one persisted before the crash");
  await s.screenshot("04-approval-crashed");
  await s.page.click("#raise");
  await s.page.waitForSelector("#result.completed", { timeout: 10_000 });
  assert.match((await s.page.textContent("#result")) ?? "", /"status":"approved","by":"ada"/);
  assert.is(await s.page.getAttribute("#crash-report", "data-equal"), "true");
  assert.match((await s.page.textContent("#crash-report")) ?? "", /same result as an uncrashed run/);
  await s.screenshot("05-approval-resumed");
});

test("approval preset: advancing the virtual clock past the timeout ends it as timed out", async () => {
  await s.page.click("#reset");
  await s.page.click("#run");
  await s.page.waitForFunction(() => /waiting/.test(document.querySelector("#run-status")?.textContent ?? ""), undefined, { timeout: 10_000 });
  await s.page.click("#advance-timer");
  await s.page.waitForSelector("#result.completed", { timeout: 10_000 });
  assert.match((await s.page.textContent("#result")) ?? "", /timed out/);
  assert.match((await s.page.textContent("#clock")) ?? "", /\+86400100 ms/);
});

async function openPreset(id: string, orchestration: string): Promise<void> {
  await s.page.selectOption("#preset", id);
  await s.page.waitForFunction((name) => document.querySelector("#orchestration")?.textContent?.includes(name) && document.body.dataset.compiled === "ok", orchestration, { timeout: 30_000 });
  assert.match((await s.page.textContent("#diagnostics")) ?? "", /No diagnostics/, `${id} compiles without diagnostics`);
}

async function runToResult(): Promise<string> {
  await s.page.click("#run");
  await s.page.waitForSelector("#result.completed, #result.failed", { timeout: 10_000 });
  assert.ok(await s.page.$("#result.completed"), (await s.page.textContent("#result")) ?? "");
  return (await s.page.textContent("#result")) ?? "";
}

test("fan-out preset: all branches, one result", async () => {
  await openPreset("fanout", "fanOut");
  assert.match(await runToResult(), /Result: \{"documents":3,"words":10\}/);
});

test("bank transfer preset: the lock over both accounts, the balances as committed, and the same after crash and resume", async () => {
  await openPreset("transfer", "transfer");
  assert.match(await runToResult(), /Result: true/);
  const timeline = (await s.page.textContent("#timeline")) ?? "";
  assert.match(timeline, /lock Account\/alice, Account\/bob #\d+/);
  assert.match(timeline, /lock granted #\d+/);
  assert.match(timeline, /unlock #\d+/);
  const entities = (await s.page.textContent("#entities")) ?? "";
  assert.match(entities, /Account\/alice: \{"balance":70\}/);
  assert.match(entities, /Account\/bob: \{"balance":130\}/);
  await s.screenshot("06-transfer");
  // The accounts live on other partitions than the instance: after the crash every partition recovers them from the store.
  await s.page.click("#reset");
  await s.page.click("#crash");
  await s.page.waitForSelector("#crash-report:not([hidden])", { timeout: 10_000 });
  assert.is(await s.page.getAttribute("#crash-report", "data-equal"), "true");
  assert.match((await s.page.textContent("#result")) ?? "", /Result: true/);
});

test("saga preset: the card is declined and the bookings are compensated in reverse order", async () => {
  await openPreset("saga", "bookTrip");
  const saga = await runToResult();
  assert.match(saga, /"booked":false,"reason":"card declined","compensated":\["cancelHotel","cancelFlight"\]/);
  const issued = await s.page.$$eval("#timeline li", (lis) => lis.map((li) => li.textContent ?? "").join("\n"));
  const order = [...issued.matchAll(/call activity (\w+)/g)].map((m) => m[1]);
  assert.equal(order, ["reserveFlight", "reserveHotel", "chargeCard", "cancelHotel", "cancelFlight"]);
  assert.match(issued, /activity chargeCard #\d+ failed: Error: card declined/);
  await s.screenshot("07-saga");
  assert.equal(s.errors, []);
});

test.run();
