/**
 * The per-instance history (runtime/history.ts) on the memory and local
 * backends: what a step records (wakes with their source, attempts and last
 * error; commands; where it waits), the cap, switching it off, purge, and the
 * parent/child links.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { BackendSpec } from "../../runtime/backends/index.ts";
import type { HistoryStep } from "../../runtime/history.ts";
import { childrenOf } from "../../runtime/history-reader.ts";
import { startHost, type Host } from "../../runtime/host.ts";
import type { PartitionOptions } from "../../runtime/partitions/partition.ts";
import { compileOnLoad } from "../entities/harness.ts";

if (!(await compileOnLoad())) throw new Error("this build has no compiler");
const app = await import("./history-app.ts");

const WAIT = { timeoutMs: 20_000 };
const quiet = () => undefined;

async function withHost(kind: "memory" | "local", options: Partial<PartitionOptions>, body: (host: Host) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "nwc-history-"));
  const backend: BackendSpec = kind === "memory" ? "memory" : { kind: "local", dir };
  const host = await startHost({ app: [app], backend, partitions: 2, partitionOptions: options, log: quiet });
  try {
    await body(host);
  } finally {
    await host.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs `journey` to its end: it waits for the event once it sleeps past its timer. */
async function runJourney(host: Host, id: string): Promise<void> {
  await host.client.start(app.journey, id, { instanceId: id });
  await until("the event wait", () => host.client.history(id), (h) => h.steps.some((s) => s.commands.some((c) => c.kind === "waitEvent")));
  await host.client.raise(id, "approval", "yes");
  const done = await host.client.wait(id, WAIT);
  assert.is(done.status, "Completed", JSON.stringify(done.error));
}

function wakesOf(steps: HistoryStep[]) {
  return steps.flatMap((s) => s.wakes);
}

for (const kind of ["memory", "local"] as const) {
  test(`${kind}: a step records its wakes (retried activity with attempts and last error, failed activity, timer, event, child) and commands`, async () => {
    await withHost(kind, {}, async (host) => {
      // Ids per backend: the flaky activity counts attempts per key across the whole file.
      const id = `${kind}-j1`;
      await runJourney(host, id);
      const { instanceId, steps } = await host.client.history(id);
      assert.is(instanceId, id);
      assert.equal(steps.map((s) => s.seq), steps.map((_, i) => i + 1));
      assert.ok(steps.every((s) => s.execution === 0 && typeof s.atMs === "number"));
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
      assert.ok(waits.every((w) => w !== undefined && typeof w.line === "number" && w.label.length > 0), JSON.stringify(waits));
      assert.match(steps[0]!.waitsAt![0]!.label, /flaky/);
      // Parent and child.
      assert.equal(childrenOf({ instanceId, steps }), [{ instanceId: `${id}-child`, name: "child" }]);
      assert.is((await host.client.status(`${id}-child`))!.parentInstanceId, id);
      assert.is((await host.client.status(id))!.parentInstanceId, undefined);
      const childSteps = (await host.client.history(`${id}-child`)).steps;
      assert.equal(childSteps.map((s) => s.outcome), ["completed"]);
    });
  });

  test(`${kind}: the history keeps the last historyLimit steps; a smaller limit trims on the next step`, async () => {
    await withHost(kind, { historyLimit: 4 }, async (host) => {
      await host.client.wait(await host.client.start(app.looper, 10, { instanceId: "loop" }), WAIT);
      const { steps } = await host.client.history("loop");
      assert.equal(steps.map((s) => s.seq), [8, 9, 10, 11]);
      assert.is(steps.at(-1)!.outcome, "completed");
    });
  });

  test(`${kind}: historyLimit 0 records nothing`, async () => {
    await withHost(kind, { historyLimit: 0 }, async (host) => {
      await host.client.wait(await host.client.start(app.looper, 3, { instanceId: "off" }), WAIT);
      assert.equal((await host.client.history("off")).steps, []);
    });
  });

  test(`${kind}: purge removes the history; an id started again begins a new one`, async () => {
    await withHost(kind, {}, async (host) => {
      await host.client.wait(await host.client.start(app.looper, 3, { instanceId: "p1" }), WAIT);
      assert.is((await host.client.history("p1")).steps.length, 4);
      await host.client.purge("p1");
      await until("the purge", () => host.client.status("p1"), (s) => s === undefined);
      assert.equal((await host.client.history("p1")).steps, []);
      await host.client.wait(await host.client.start(app.looper, 1, { instanceId: "p1" }), WAIT);
      assert.equal((await host.client.history("p1")).steps.map((s) => s.seq), [1, 2]);
    });
  });
}

test("an instance id that extends another's (a:1 after a) keeps its own history", async () => {
  await withHost("memory", {}, async (host) => {
    await host.client.wait(await host.client.start(app.looper, 1, { instanceId: "a" }), WAIT);
    await host.client.wait(await host.client.start(app.looper, 2, { instanceId: "a:1" }), WAIT);
    assert.is((await host.client.history("a")).steps.length, 2);
    assert.is((await host.client.history("a:1")).steps.length, 3);
  });
});

test.run();
