// The playground's runtime: the partition core on the memory backend with the
// virtual clock, driven as the page drives it. Activities with latency, seeded
// failures and the core's retries; timers and events; entities under a lock;
// sub-orchestrations; crash and resume (recovery from the store) equal to an
// uncrashed run. Hand-written machines (no compiler) keep this file fast.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { activity, entity } from "../../runtime/api.ts";
import { genOrchestration } from "../runtime/machines/generator-machine.ts";
import { DEFAULT_START_MS, PlaygroundRuntime, type PlaygroundApp } from "../../playground/src/sim/runtime.ts";
import { compareWithUncrashed, replay, type Script } from "../../playground/src/sim/replay.ts";
import { coin } from "../../playground/src/sim/activity-sim.ts";

const greet = activity("greet", (name: string) => `Hello ${name}!`);
const account = entity("Account", {
  init: () => ({ balance: 100 }),
  ops: { get: (s: { balance: number }) => s.balance, add: (s: { balance: number }, n: number) => void (s.balance += n) },
});

const hello = genOrchestration("hello", function* (ctx, cities: string[]) {
  const out: string[] = [];
  for (const c of cities) out.push(yield ctx.call("greet", c));
  return out;
});

const retrying = genOrchestration("retrying", function* (ctx) {
  return yield ctx.call("greet", "x", { retry: { maxAttempts: 3, backoffMs: 1000 } });
});

const approval = genOrchestration("approval", function* (ctx) {
  const r = yield ctx.race([ctx.waitForEvent("approve"), ctx.sleep(60_000)]);
  return r === undefined ? "timed out" : `approved by ${r}`;
});

const transfer = genOrchestration("transfer", function* (ctx, t: { from: string; to: string; amount: number }) {
  const ids = [{ name: "Account", key: t.to }, { name: "Account", key: t.from }];
  const set = yield ctx.raw((taskId) => ({ kind: "lock", taskId, entities: ids }));
  const balance = yield ctx.entity("Account", t.from, "get");
  if (balance < t.amount) return { ok: false, set };
  yield ctx.all([ctx.entity("Account", t.from, "add", -t.amount), ctx.entity("Account", t.to, "add", t.amount)]);
  return { ok: true, set, after: yield ctx.entity("Account", t.to, "get") };
});

const child = genOrchestration("child", function* (ctx, n: number) {
  return (yield ctx.call("greet", `child ${n}`)) as string;
});
const parent = genOrchestration("parent", function* (ctx, n: number) {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(yield ctx.callSub("child", i));
  return out;
});

const app: PlaygroundApp = { orchestrations: [hello, retrying, approval, transfer, child, parent], activities: [greet], entities: [account] };
const settings = { latencyMs: 100, failureRate: 0, seed: 1 };

const started: PlaygroundRuntime[] = [];
async function start(name: string, input: unknown, s = settings): Promise<PlaygroundRuntime> {
  const rt = await PlaygroundRuntime.start(app, name, input, s);
  started.push(rt);
  return rt;
}
test.after.each(async () => {
  for (const rt of started.splice(0)) await rt.dispose();
});

test("a sequence of activities completes on the virtual clock, one step per completion", async () => {
  const rt = await start("hello", ["Tokyo", "Seattle", "London"]);
  assert.equal(rt.outcome, { kind: "completed", output: ["Hello Tokyo!", "Hello Seattle!", "Hello London!"] });
  assert.is(rt.nowMs, DEFAULT_START_MS + 300);
  assert.is(rt.timeline.length, 4);
  assert.match(rt.timeline[1]!.woke[0]!, /activity greet #\d+ -> "Hello Tokyo!"/);
  assert.equal(rt.position(), ["end"]);
  assert.is(rt.committed.status, "Completed");
  assert.ok(rt.backend.store.appendedCommits >= 4, "every step was committed to the memory store");
});

test("an activity without a retry policy fails once; with one the core retries it with backoff", async () => {
  const failing = { ...settings, failureRate: 1 };
  const once = await start("hello", ["a"], failing);
  assert.is(once.outcome.kind, "failed");
  assert.match((once.outcome as any).error.message, /simulated failure of activity greet \(attempt 1\)/);
  assert.is((once.outcome as any).error.name, "SimulatedFailure");
  const retried = await start("retrying", null, failing);
  assert.match((retried.outcome as any).error.message, /attempt 3/);
  // latency 100 each attempt, backoff 1000 then 2000
  assert.is(retried.nowMs - DEFAULT_START_MS, 100 + 1000 + 100 + 2000 + 100);
});

test("failures are seeded: the same seed gives the same run", async () => {
  const half = { latencyMs: 10, failureRate: 0.5, seed: 7 };
  const many = genOrchestration("many", function* (ctx, xs: string[]) {
    const out: string[] = [];
    for (const x of xs) {
      try { out.push(yield ctx.call("greet", x)); } catch { out.push("failed"); }
    }
    return out;
  });
  const local: PlaygroundApp = { ...app, orchestrations: [many] };
  const cities = Array.from({ length: 12 }, (_, i) => `c${i}`);
  const a = await PlaygroundRuntime.start(local, "many", cities, half);
  const b = await PlaygroundRuntime.start(local, "many", cities, half);
  assert.equal(a.outcome, b.outcome);
  const out = (a.outcome as any).output as string[];
  assert.ok(out.includes("failed") && out.some((x) => x.startsWith("Hello")), `expected a mix, got ${out}`);
  await a.dispose();
  await b.dispose();
  const counts = Array.from({ length: 1000 }, (_, i) => coin(3, i, 1) < 0.3).filter(Boolean).length;
  assert.ok(counts > 240 && counts < 360, `coin is roughly uniform: ${counts}`);
});

test("a run stops at timers and events; raise completes the wait, advancing the clock fires the timer", async () => {
  const rt = await start("approval", null);
  assert.is(rt.outcome.kind, "running");
  assert.equal(rt.waitingEvents(), ["approve"]);
  assert.is(rt.nextTimerMs(), DEFAULT_START_MS + 60_000);
  assert.is(await rt.raise("approve", "ann"), true);
  assert.equal(rt.outcome, { kind: "completed", output: "approved by ann" });

  const t = await start("approval", null);
  await t.advance(59_999);
  assert.is(t.outcome.kind, "running");
  await t.advance(1);
  assert.equal(t.outcome, { kind: "completed", output: "timed out" });
  assert.is(t.nowMs, DEFAULT_START_MS + 60_000);
});

test("entities: the lock is granted in the global order and the operations change committed entity state", async () => {
  const rt = await start("transfer", { from: "b", to: "a", amount: 30 });
  const out = (rt.outcome as any).output;
  assert.ok(out, JSON.stringify(rt.outcome));
  assert.equal(out.set, [{ name: "Account", key: "a" }, { name: "Account", key: "b" }]);
  assert.is(out.after, 130);
  assert.equal(rt.committed.entities, { "Account/a": { balance: 130 }, "Account/b": { balance: 70 } });
  const lines = rt.timeline.flatMap((t) => [...t.woke, ...t.issued]).join("\n");
  assert.match(lines, /lock Account\/a, Account\/b #\d+/);
  assert.match(lines, /lock granted #\d+/);
});

test("sub-orchestrations run as their own instances on the core", async () => {
  const rt = await start("parent", 2);
  assert.equal(rt.outcome, { kind: "completed", output: ["Hello child 0!", "Hello child 1!"] });
  const children = new Set(rt.timeline.map((t) => t.instanceId).filter((id) => id !== "playground-1"));
  assert.is(children.size, 2);
});

test("crash and resume: the host is dropped, partitions recover from the store, and the run ends as the uncrashed one", async () => {
  const both = genOrchestration("both", function* (ctx) {
    const a: string[] = [];
    for (const x of ["p", "q"]) {
      try { a.push(yield ctx.call("greet", x, { retry: { maxAttempts: 2, backoffMs: 10 } })); } catch { a.push("lost"); }
    }
    yield ctx.sleep(500);
    const who = yield ctx.waitForEvent("approve");
    const balance = yield ctx.entity("Account", "z", "get");
    return { a, who, at: ctx.now(), balance };
  });
  const local: PlaygroundApp = { ...app, orchestrations: [both] };
  const script: Script = {
    orchestration: "both",
    input: null,
    settings: { latencyMs: 50, failureRate: 0.3, seed: 11 },
    actions: [{ kind: "run" }, { kind: "crash" }, { kind: "advance", ms: 1000 }, { kind: "crash" }, { kind: "raise", name: "approve", data: "bo" }],
  };
  const rt = await replay(local, script, { crashes: true });
  started.push(rt);
  assert.is(rt.crashes, 2);
  assert.is(rt.outcome.kind, "completed", JSON.stringify(rt.outcome));
  assert.ok(rt.lastCrash!.commitsReplayed.some((n) => n > 0) || rt.backend.store.appendedCommits > 0);
  const cmp = await compareWithUncrashed(rt, local, script);
  assert.ok(cmp.equal, `differences: ${cmp.differences}`);
  assert.is(cmp.crashed.outcome, cmp.uncrashed.outcome);
});

test("start refuses an orchestration the program does not define", async () => {
  try {
    await PlaygroundRuntime.start(app, "nope", null, settings);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /no orchestration "nope"/);
  }
});

test.run();
