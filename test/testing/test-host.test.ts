/**
 * nwc/testing tested with itself: createTestHost's virtual time (skipping
 * while a test waits, advance), mockActivity, typed handles' results, and
 * runScenario's crash-everywhere on a correct and on a broken scenario.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import { loadAppFile } from "../../runtime/app-loader.ts";
import { InstanceFailedError, InstanceTerminatedError } from "../../runtime/client.ts";
import { createTestHost, CrashEverywhereError, runScenario } from "../../runtime/testing.ts";
import { crashPoints } from "../../runtime/testing/crash-everywhere.ts";
import type * as AppModule from "./app.ts";

const loaded = await loadAppFile(fileURLToPath(new URL("./app.ts", import.meta.url)));
const A = loaded.exports as typeof AppModule;
const app = loaded.definitions;
/** Real time a test may wait for a result: generous for a loaded machine, far below the virtual spans involved. */
const WAIT = { timeoutMs: 20_000 };

test("a 24-hour approval timeout finishes in well under a second of real time", async () => {
  await using t = await createTestHost({ app });
  const startedAt = t.now();
  const realStart = performance.now();
  const h = await t.client.startHandle(A.approval, "a boat");
  const result = await h.result(WAIT);
  const realMs = performance.now() - realStart;
  assert.equal(result, { outcome: "timed out", waitedMs: A.DAY_MS });
  assert.ok(t.now() - startedAt >= A.DAY_MS, `virtual time moved ${t.now() - startedAt} ms`);
  assert.ok(realMs < 1000, `took ${realMs.toFixed(0)} ms of real time`);
});

test("time stands still while the test does not wait: an event raised later still wins the race", async () => {
  await using t = await createTestHost({ app });
  const startedAt = t.now();
  const h = await t.client.startHandle(A.approval, "a car");
  await t.settle();
  await new Promise((r) => setTimeout(r, 50)); // real time passes; virtual time must not
  assert.is(t.now(), startedAt);
  assert.is((await h.status())?.status, "Running");
  await h.raise("approval", { approved: true, by: "alice" });
  assert.equal(await h.result(WAIT), { outcome: "approved", by: "alice", waitedMs: 0 });
});

test("advance moves time explicitly and fires a timer exactly when it falls due", async () => {
  await using t = await createTestHost({ app });
  const startedAt = t.now();
  const h = await t.client.startHandle(A.approval, "a house");
  await t.advance(A.DAY_MS - 1);
  assert.is(t.now(), startedAt + A.DAY_MS - 1);
  assert.is((await h.status())?.status, "Running");
  await t.advance(1);
  assert.is(t.now(), startedAt + A.DAY_MS);
  // advance resolves once the fired timer's work has committed: no wait needed.
  const s = await h.status();
  assert.is(s?.status, "Completed");
  assert.equal(s?.output, { outcome: "timed out", waitedMs: A.DAY_MS });
});

test("mockActivity replaces an activity for this host and records each call", async () => {
  await using t = await createTestHost({ app });
  const charges = t.mockActivity(A.charge, (amount) => amount * 10);
  const h = await t.client.startHandle(A.payment, 1);
  assert.equal(await h.result(WAIT), [10, 20, 30]);
  assert.equal(charges.calls.map((c) => c.input), [1, 2, 3]);
  assert.ok(charges.calls.every((c) => c.instanceId === h.instanceId && c.attempt === 1));
  // Another host is not affected: the real charge still refuses to run.
  await using other = await createTestHost({ app });
  const failed = await other.client.wait(await other.client.start(A.payment, 1), WAIT);
  assert.is(failed.status, "Failed");
  assert.match(failed.error?.message ?? "", "must be mocked");
});

test("time does not skip while an activity runs, even a slow one", async () => {
  await using t = await createTestHost({ app });
  // Each charge takes 30 ms of real time; skipping meanwhile would start the one-hour sleep late.
  t.mockActivity(A.charge, async (amount) => {
    await new Promise((r) => setTimeout(r, 30));
    return amount;
  });
  const startedAt = t.now();
  assert.equal(await (await t.client.startHandle(A.payment, 1)).result(WAIT), [1, 2, 3]);
  assert.is(t.now() - startedAt, 3600_000);
});

test("handle.result returns the output, rejects with a failed instance's error, and with InstanceTerminatedError", async () => {
  await using t = await createTestHost({ app });
  assert.is(await (await t.client.startHandle(A.failing, "")).result(WAIT), "accepted");
  const failing = await t.client.startHandle(A.failing, "no");
  const error = await failing.result(WAIT).then(() => undefined, (e: unknown) => e);
  assert.instance(error, InstanceFailedError);
  assert.is((error as InstanceFailedError).name, "RangeError");
  assert.is((error as InstanceFailedError).message, "refused: no");
  assert.is((error as InstanceFailedError).instanceId, failing.instanceId);
  // client.wait takes the handle too, typed by the orchestration.
  assert.is((await t.client.wait(failing, WAIT)).status, "Failed");
  const stopped = await t.client.startHandle(A.approval, "a plane");
  await stopped.terminate("changed my mind");
  const terminated = await stopped.result(WAIT).then(() => undefined, (e: unknown) => e);
  assert.instance(terminated, InstanceTerminatedError);
  assert.is((await t.client.handle(A.approval, stopped.instanceId).status())?.status, "Terminated");
});

test("entity signals and readEntity on a test host, settled without moving time", async () => {
  await using t = await createTestHost({ app });
  const before = t.now();
  await t.client.signal(A.counter, "k", "add", 5);
  await t.client.signal(A.counter, "k", "add", 2);
  await t.settle();
  assert.equal(await t.client.readEntity(A.counter, "k"), { value: 7 });
  assert.is(t.now(), before);
});

test("createTestHost refuses crashEverywhere and points at runScenario", async () => {
  const error = await createTestHost({ app, crashEverywhere: true } as Parameters<typeof createTestHost>[0]).then(() => undefined, (e: unknown) => e);
  assert.instance(error, TypeError);
  assert.match((error as Error).message, "runScenario");
});

test("crash-everywhere passes on a correct scenario, crashing after every commit", async () => {
  const report = await runScenario({ app, crashEverywhere: true }, async (t) => {
    t.mockActivity(A.charge, (amount) => amount * 10); // idempotent: the same answer however often it runs
    const approval = await t.client.startHandle(A.approval, "a boat");
    const pay = await t.client.startHandle(A.payment, 1);
    return { approval: await approval.result(WAIT), pay: await pay.result(WAIT) };
  });
  assert.equal(report.result, { approval: { outcome: "timed out", waitedMs: A.DAY_MS }, pay: [10, 20, 30] });
  assert.ok(report.commits >= 5, `${report.commits} commits`);
  // Nearly every crash point is reached in its run (batching may differ slightly between runs, so not necessarily all).
  assert.ok(report.crashRuns >= 5 && report.crashRuns <= report.commits, `${report.crashRuns} crash runs of ${report.commits} commits`);
});

test("crash-everywhere reports the run whose result differs when an activity is not idempotent", async () => {
  const error = await runScenario({ app, crashEverywhere: true }, async (t) => {
    // A payment service that numbers its charges: running an attempt again after a crash changes the answer.
    let charged = 0;
    t.mockActivity(A.charge, () => ++charged);
    return await (await t.client.startHandle(A.payment, 1)).result(WAIT);
  }).then(() => undefined, (e: unknown) => e);
  assert.instance(error, CrashEverywhereError);
  const e = error as CrashEverywhereError;
  assert.equal(e.expected, [1, 2, 3]);
  // The crashed run charged again: its numbers ran ahead of the plain run's.
  assert.ok("result" in e.actual, "the crashed run returned a result");
  const actual = (e.actual as { result: number[] }).result;
  assert.is(actual.length, 3);
  assert.ok(actual[2] > 3, `crashed run returned ${JSON.stringify(actual)}`);
  assert.ok(e.crashAfterCommit >= 1 && e.crashAfterCommit <= e.commits);
  assert.match(e.message, `after commit ${e.crashAfterCommit} of ${e.commits}`);
});

test("crash points: every commit, or maxCrashRuns of them spread evenly from the first to the last", () => {
  assert.equal(crashPoints(4, 300), [1, 2, 3, 4]);
  const spread = crashPoints(1000, 10);
  assert.is(spread.length, 10);
  assert.is(spread[0], 1);
  assert.is(spread[9], 1000);
  assert.ok(spread.every((k, i) => i === 0 || k > spread[i - 1]));
  assert.throws(() => crashPoints(10, 0), /maxCrashRuns/);
});

test.run();
