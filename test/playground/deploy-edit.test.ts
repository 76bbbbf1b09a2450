// Editing the code while an instance waits, in Chromium: the instance keeps the
// code it started with until the edit is deployed; deployed pinned it finishes
// on that code, deployed as an upgrade the edited code takes over at the await
// it waits at, and an edit that removes that await is refused with the reason.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openPlayground, setEditorText, type Session } from "./browser.ts";

let s: Session;

const program = (tag: string, event = "answer") => `import { activity, orchestration } from "nwc";

export const greet = activity("greet", async (name: string) => \`Hello \${name}!\`);

export const approval = orchestration("approval", async (ctx, who: string) => {
  const greeting = await ctx.call(greet, who);
  const answer = await ctx.waitForEvent<string>("${event}");
  return \`\${greeting} ${tag} \${answer}\`;
});
`;

const compiled = () => s.page.waitForFunction(() => document.body.dataset.compiled === "ok" && document.body.dataset.running !== "true", undefined, { timeout: 60_000 });

/** Starts v-`tag` and waits at its event; then compiles the edit `edited`: the deploy buttons come on. */
async function waitThenEdit(tag: string, edited: string): Promise<void> {
  await s.page.click("#reset");
  await s.page.fill("#input", '"Ann"');
  await s.page.click("#run");
  await s.page.waitForFunction(() => /waiting for event "answer"/.test(document.querySelector("#run-status")?.textContent ?? ""), undefined, { timeout: 20_000 });
  const started = (await s.page.textContent("#clock")) ?? "";
  await setEditorText(s.page, edited);
  await s.page.waitForSelector("#deploy-pin:not([disabled])", { timeout: 60_000 });
  assert.match((await s.page.textContent("#run-status")) ?? "", /waiting for event "answer"/, `the ${tag} instance still waits after the edit`);
  assert.is((await s.page.textContent("#clock"))?.match(/version \w+/)?.[0], started.match(/version \w+/)?.[0], "it still runs its version");
}

async function raiseAnswer(): Promise<string> {
  await s.page.fill("#event-name", "answer");
  await s.page.fill("#event-data", '"yes"');
  await s.page.click("#raise");
  await s.page.waitForSelector("#result.completed, #result.failed", { timeout: 20_000 });
  return (await s.page.textContent("#result")) ?? "";
}

test.before(async () => {
  s = await openPlayground();
  await s.page.waitForSelector("body[data-compiled=ok]", { timeout: 90_000 });
  await setEditorText(s.page, program("v1"));
  await s.page.waitForFunction(() => document.querySelector("#orchestration")?.textContent?.includes("approval") && document.body.dataset.compiled === "ok", undefined, { timeout: 60_000 });
});

test.after(async () => {
  await s?.close();
});

test("pinned: an edit deployed while the instance waits leaves it on the code it started with", async () => {
  await waitThenEdit("v1", program("v2"));
  await s.page.click("#deploy-pin");
  await s.page.waitForSelector("#deploy-report:not([hidden])", { timeout: 20_000 });
  assert.match((await s.page.textContent("#deploy-report")) ?? "", /^pinned: the instance stays on version \w+/);
  assert.match(await raiseAnswer(), /Result: "Hello Ann! v1 yes"/);
  await s.screenshot("deploy-pinned");
});

test("upgraded: the edited code takes over at the await the instance waits at", async () => {
  await compiled();
  await waitThenEdit("v2", program("v3"));
  await s.page.click("#deploy-upgrade");
  await s.page.waitForSelector("#deploy-report:not([hidden])", { timeout: 20_000 });
  assert.match((await s.page.textContent("#deploy-report")) ?? "", /^upgraded from version \w+ to \w+/);
  assert.match(await raiseAnswer(), /Result: "Hello Ann! v3 yes"/);
  await s.screenshot("deploy-upgraded");
});

test("an edit that removes the awaited event is not upgraded: the report says why, and the instance finishes pinned", async () => {
  await compiled();
  await waitThenEdit("v3", program("v4", "reply"));
  await s.page.click("#deploy-upgrade");
  await s.page.waitForSelector("#deploy-report:not([hidden])", { timeout: 20_000 });
  assert.match((await s.page.textContent("#deploy-report")) ?? "", /^kept on version \w+: .*await at line 7 removed/);
  assert.match(await raiseAnswer(), /Result: "Hello Ann! v3 yes"/);
});

test.run();
