// The playground's in-browser driver: activities with latency, seeded
// failures and retries, timers on the virtual clock, events, entities with
// locks, and crash-and-resume equality, on hand-written machines.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { genMachine } from "../runtime/machines/generator-machine.ts";
import { Driver, DEFAULT_START_MS, type SimApp } from "../../playground/src/sim/driver.ts";
import { compareWithUncrashed, replay, type Script } from "../../playground/src/sim/replay.ts";
import { coin } from "../../playground/src/sim/activity-sim.ts";

const greetApp: SimApp = {
  activities: new Map([["greet", (name: unknown) => `Hello ${name}!`]]),
  entities: new Map([
    ["Account", { init: () => ({ balance: 100 }), ops: { get: (s: any) => s.balance, add: (s: any, n: number) => void (s.balance += n) } }],
  ]),
};

const hello = genMachine("hello", function* (ctx, cities: string[]) {
  const out: string[] = [];
  for (const c of cities) out.push(yield ctx.call("greet", c));
  return out;
});

const retrying = genMachine("retrying", function* (ctx) {
  return yield ctx.call("greet", "x", { retry: { maxAttempts: 3, backoffMs: 1000 } });
});

const approval = genMachine("approval", function* (ctx) {
  const r = yield ctx.race([ctx.waitForEvent("approve"), ctx.sleep(60_000)]);
  return r === undefined ? "timed out" : `approved by ${r}`;
});

const transfer = genMachine("transfer", function* (ctx, t: { from: string; to: string; amount: number }) {
  const set = yield ctx.raw((taskId) => ({ kind: "lock", taskId, entities: [{ name: "Account", key: t.to }, { name: "Account", key: t.from }] }));
  const balance = yield ctx.entity("Account", t.from, "get");
  if (balance < t.amount) return { ok: false, set };
  yield ctx.all([ctx.entity("Account", t.from, "add", -t.amount), ctx.entity("Account", t.to, "add", t.amount)]);
  return { ok: true, set, after: yield ctx.entity("Account", t.to, "get") };
});

const settings = { latencyMs: 100, failureRate: 0, seed: 1 };

test("a sequence of activities completes on the virtual clock, one step per completion", async () => {
  const d = Driver.start(hello, greetApp, ["Tokyo", "Seattle", "London"], settings);
  await d.run();
  assert.equal(d.outcome, { kind: "completed", output: ["Hello Tokyo!", "Hello Seattle!", "Hello London!"] });
  assert.is(d.nowMs, DEFAULT_START_MS + 300);
  assert.is(d.timeline.length, 4);
  assert.match(d.timeline[1]!.woke[0]!, /activity greet #\d+ -> "Hello Tokyo!"/);
  assert.equal(d.position(), ["end"]);
});

test("an activity without a retry policy fails once; with one it is retried with backoff", async () => {
  const failing = { ...settings, failureRate: 1 };
  const once = Driver.start(hello, greetApp, ["a"], failing);
  await once.run();
  assert.is(once.outcome.kind, "failed");
  assert.match((once.outcome as any).error.message, /simulated failure of activity greet \(attempt 1\)/);
  const retried = Driver.start(retrying, greetApp, null, failing);
  await retried.run();
  assert.match((retried.outcome as any).error.message, /attempt 3/);
  // latency 100 each attempt, backoff 1000 then 2000
  assert.is(retried.nowMs - DEFAULT_START_MS, 100 + 1000 + 100 + 2000 + 100);
});

test("failures are seeded: the same seed gives the same run, another seed a different one", async () => {
  const half = { latencyMs: 10, failureRate: 0.5, seed: 7 };
  const cities = Array.from({ length: 12 }, (_, i) => `c${i}`);
  const machine = genMachine("many", function* (ctx, xs: string[]) {
    const out: string[] = [];
    for (const x of xs) {
      try { out.push(yield ctx.call("greet", x)); } catch { out.push("failed"); }
    }
    return out;
  });
  const a = Driver.start(machine, greetApp, cities, half); await a.run();
  const b = Driver.start(machine, greetApp, cities, half); await b.run();
  assert.equal(a.outcome, b.outcome);
  const out = (a.outcome as any).output as string[];
  assert.ok(out.includes("failed") && out.some((x) => x.startsWith("Hello")), `expected a mix, got ${out}`);
  const counts = Array.from({ length: 1000 }, (_, i) => coin(3, i, 1) < 0.3).filter(Boolean).length;
  assert.ok(counts > 240 && counts < 360, `coin is roughly uniform: ${counts}`);
});

test("a run stops at timers and events; raise completes the wait, advancing the clock fires the timer", async () => {
  const d = Driver.start(approval, greetApp, null, settings);
  await d.run();
  assert.is(d.outcome.kind, "running");
  assert.equal(d.waitingEvents(), ["approve"]);
  assert.is(d.nextTimerMs(), DEFAULT_START_MS + 60_000);
  assert.is(await d.raise("nope", 1), false);
  assert.is(await d.raise("approve", "ann"), true);
  assert.equal(d.outcome, { kind: "completed", output: "approved by ann" });

  const t = Driver.start(approval, greetApp, null, settings);
  await t.advance(59_999);
  assert.is(t.outcome.kind, "running");
  await t.advance(1);
  assert.equal(t.outcome, { kind: "completed", output: "timed out" });
  assert.is(t.nowMs, DEFAULT_START_MS + 60_000);
});

test("entities: locks are granted in the global order and operations change entity state", async () => {
  const d = Driver.start(transfer, greetApp, { from: "b", to: "a", amount: 30 }, settings);
  await d.run();
  const out = (d.outcome as any).output;
  assert.equal(out.set, [{ name: "Account", key: "a" }, { name: "Account", key: "b" }]);
  assert.is(out.after, 130);
  assert.equal(d.state.entities.states, { "Account/b": { balance: 70 }, "Account/a": { balance: 130 } });
});

test("crash and resume: a snapshot restores into a fresh driver and the run ends as the uncrashed one", async () => {
  const script: Script = {
    input: null,
    settings: { latencyMs: 50, failureRate: 0.3, seed: 11 },
    actions: [{ kind: "run" }, { kind: "crash" }, { kind: "advance", ms: 1000 }, { kind: "crash" }, { kind: "raise", name: "approve", data: "bo" }],
  };
  const both = genMachine("both", function* (ctx) {
    const a: string[] = [];
    for (const x of ["p", "q"]) {
      try { a.push(yield ctx.call("greet", x, { retry: { maxAttempts: 2, backoffMs: 10 } })); } catch { a.push("lost"); }
    }
    yield ctx.sleep(500);
    const who = yield ctx.waitForEvent("approve");
    return { a, who, at: ctx.now() };
  });
  const { driver, crashes } = await replay(both, greetApp, script, { crashes: true });
  assert.is(crashes, 2);
  assert.is(driver.outcome.kind, "completed");
  const cmp = await compareWithUncrashed(driver, both, greetApp, script);
  assert.ok(cmp.equal, `differences: ${cmp.differences}`);
  assert.is(cmp.crashed.outcome, cmp.uncrashed.outcome);
});

test("restore refuses a snapshot of another machine or version, and text that is not a snapshot", () => {
  const d = Driver.start(hello, greetApp, ["x"], settings);
  const other = genMachine("hello", function* () { return 1; }, "gen-2");
  assert.throws(() => Driver.restore(other, greetApp, d.snapshot()), /the code changed/);
  assert.throws(() => Driver.restore(hello, greetApp, "[1,2]"), /not a playground snapshot/);
});

test.run();
