/**
 * The journey scenario of the history tests, shared by every backend's test
 * file: run `journey` (history-app.ts) to its end and check what its history
 * records, step by step, and the parent/child links.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as assert from "uvu/assert";
import type { HistoryStep } from "../../runtime/history.ts";
import { childrenOf } from "../../runtime/history-reader.ts";
import type { Host } from "../../runtime/host.ts";

export const WAIT = { timeoutMs: 30_000 };

const APP_SOURCE = readFileSync(fileURLToPath(new URL("./history-app.ts", import.meta.url)), "utf8").split("\n");

/** 1-based line of history-app.ts holding `text`. */
function lineOf(text: string): number {
  const at = APP_SOURCE.findIndex((l) => l.includes(text));
  if (at < 0) throw new Error(`history-app.ts has no line with ${text}`);
  return at + 1;
}

export async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs `journey` to its end: it waits for the event once it sleeps past its timer. */
export async function runJourney(host: Host, app: { journey: any }, id: string): Promise<void> {
  await host.client.start(app.journey, id, { instanceId: id });
  await until("the event wait", () => host.client.history(id), (h) => h.steps.some((s) => s.commands.some((c) => c.kind === "waitEvent")));
  await host.client.raise(id, "approval", "yes");
  const done = await host.client.wait(id, WAIT);
  assert.is(done.status, "Completed", JSON.stringify(done.error));
}

export function wakesOf(steps: HistoryStep[]) {
  return steps.flatMap((s) => s.wakes);
}

/** Runs journey as `id` (unique per file: the flaky activity counts attempts per id) and checks its history. */
export async function assertJourneyHistory(host: Host, app: { journey: any }, id: string): Promise<void> {
  await runJourney(host, app, id);
  const { instanceId, steps } = await host.client.history(id);
  assert.is(instanceId, id);
  assert.equal(steps.map((s) => s.seq), steps.map((_, i) => i + 1));
  assert.ok(steps.every((s) => s.execution === undefined && typeof s.atMs === "number"));
  assert.equal(steps.at(-1)!.outcome, "completed");
  assert.ok(steps.slice(0, -1).every((s) => s.outcome === "running"));
  const wakes = wakesOf(steps);
  const flaky = wakes.find((w) => w.name === "flaky")!;
  assert.equal({ kind: flaky.kind, ok: flaky.ok, attempts: flaky.attempts, lastError: flaky.lastError }, {
    kind: "activity", ok: true, attempts: 3, lastError: { name: "Error", message: "flaky attempt 2 failed" },
  });
  const broken = wakes.find((w) => w.name === "broken")!;
  assert.equal({ kind: broken.kind, ok: broken.ok, error: broken.error }, { kind: "activity", ok: false, error: { name: "TypeError", message: "broken for good" } });
  assert.is(broken.attempts, undefined);
  assert.ok(wakes.some((w) => w.kind === "timer" && w.ok));
  assert.ok(wakes.some((w) => w.kind === "event" && w.name === "approval"));
  const childWake = wakes.find((w) => w.kind === "subOrchestration")!;
  assert.equal({ name: childWake.name, instanceId: childWake.instanceId, ok: childWake.ok }, { name: "child", instanceId: `${id}-child`, ok: true });
  const commands = steps.flatMap((s) => s.commands);
  assert.equal(commands.map((c) => c.kind), ["activity", "activity", "timer", "waitEvent", "subOrchestration"]);
  assert.equal(commands[0], { kind: "activity", taskId: commands[0]!.taskId, name: "flaky" });
  assert.equal(commands[4], { kind: "subOrchestration", taskId: commands[4]!.taskId, name: "child", instanceId: `${id}-child` });
  assert.is(wakes.find((w) => w.name === "flaky")!.taskId, commands[0]!.taskId);
  // Where it waits, in source terms: the await of each running step.
  const waits = steps.slice(0, -1).map((s) => s.waitsAt?.[0]);
  assert.ok(waits.every((w) => w !== undefined && typeof w.line === "number" && w.label === undefined), JSON.stringify(waits));
  assert.is(steps[0]!.waitsAt![0]!.line, lineOf("await ctx.call(flaky, key)"));
  assert.is(steps.find((s) => s.commands.some((c) => c.kind === "waitEvent"))!.waitsAt![0]!.line, lineOf("await ctx.waitForEvent"));
  // Parent and child.
  assert.equal(childrenOf({ instanceId, steps }), [{ instanceId: `${id}-child`, name: "child" }]);
  assert.is((await host.client.status(`${id}-child`))!.parentInstanceId, id);
  assert.is((await host.client.status(id))!.parentInstanceId, undefined);
  const childSteps = (await host.client.history(`${id}-child`)).steps;
  assert.equal(childSteps.map((s) => s.outcome), ["completed"]);
}
