/**
 * The test application of the semantic suite and the simulation: activities,
 * entities and generator-machine orchestrations covering every command kind.
 * Counters let tests check how often an activity really ran.
 */
import { activity, entity } from "../../../runtime/api.ts";
import { genOrchestration } from "./generator-machine.ts";

export const counters = new Map<string, number>();
export const bump = (k: string) => counters.set(k, (counters.get(k) ?? 0) + 1);

export const greet = activity("greet", async (name: string) => `Hello ${name}!`);
export const countedGreet = activity("countedGreet", async (name: string) => {
  bump(`countedGreet:${name}`);
  return `Hello ${name}!`;
});
export const boom = activity("boom", async (what: string) => {
  const e = new RangeError(`boom: ${what}`);
  throw e;
});
/** Fails until it has been called `failures` times for this key. */
export const flaky = activity(
  "flaky",
  async (a: { key: string; failures: number }) => {
    bump(`flaky:${a.key}`);
    if ((counters.get(`flaky:${a.key}`) ?? 0) <= a.failures) throw new Error(`flaky ${a.key} attempt ${counters.get(`flaky:${a.key}`)}`);
    return `ok after ${counters.get(`flaky:${a.key}`)}`;
  },
  { retry: { maxAttempts: 3, backoffMs: 10 } },
);
export const double = activity("double", async (n: number) => n * 2);

export const counter = entity("Counter", {
  init: () => ({ value: 0 }),
  ops: {
    add: (s: { value: number }, n: number) => {
      s.value += n;
      return s.value;
    },
    get: (s: { value: number }) => s.value,
    fail: (s: { value: number }) => {
      s.value = -999;
      throw new TypeError("fail op");
    },
    reset: (s: { value: number }, _: unknown, ectx) => {
      ectx.deleteState();
    },
    forward: (s: { value: number }, a: { key: string; n: number }, ectx) => {
      ectx.signal(counter, a.key).add(a.n);
    },
    startHello: (_s: { value: number }, id: string, ectx) => ectx.start(helloSequence, ["E"], { instanceId: id }),
  },
});

export const helloSequence = genOrchestration("helloSequence", function* (ctx, cities: string[]) {
  const out: string[] = [];
  for (const c of cities) out.push(yield ctx.call(greet, c));
  return out;
});

export const countedOnce = genOrchestration("countedOnce", function* (ctx, name: string) {
  return yield ctx.call(countedGreet, name);
});

export const failing = genOrchestration("failing", function* (ctx, what: string) {
  return yield ctx.call(boom, what);
});

export const catching = genOrchestration("catching", function* (ctx, what: string) {
  try {
    yield ctx.call(boom, what);
    return "no error";
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
});

export const retrying = genOrchestration("retrying", function* (ctx, a: { key: string; failures: number }) {
  return yield ctx.call(flaky, a);
});

export const parent = genOrchestration("parent", function* (ctx, n: number) {
  const a = yield ctx.callSub("child", n);
  const b = yield ctx.callSub("child", n + 1, { instanceId: `${ctx.instanceId}-kid` });
  return [a, b];
});

export const child = genOrchestration("child", function* (ctx, n: number) {
  if (n < 0) throw new SyntaxError("negative child");
  return yield ctx.call(double, n);
});

export const parentOfFailing = genOrchestration("parentOfFailing", function* (ctx) {
  try {
    yield ctx.callSub("child", -1);
    return "no error";
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
});

export const sleeper = genOrchestration("sleeper", function* (ctx, ms: number) {
  const before = ctx.now();
  yield ctx.sleep(ms);
  return ctx.now() - before;
});

export const eventWaiter = genOrchestration("eventWaiter", function* (ctx, names: string[]) {
  ctx.setStatus("waiting");
  const out: unknown[] = [];
  for (const n of names) out.push(yield ctx.waitForEvent(n));
  ctx.setStatus("done");
  return out;
});

export const approval = genOrchestration("approval", function* (ctx, timeoutMs: number) {
  const event = ctx.waitForEvent("approve");
  const timer = ctx.sleep(timeoutMs);
  const winner = yield ctx.race([event, timer]);
  return winner === undefined ? "timed out" : `approved by ${winner}`;
});

export const fanOut = genOrchestration("fanOut", function* (ctx, n: number) {
  const tasks = [];
  for (let i = 0; i < n; i++) tasks.push(ctx.call(double, i));
  const results: number[] = yield ctx.all(tasks);
  return results.reduce((a, b) => a + b, 0);
});

export const settled = genOrchestration("settled", function* (ctx) {
  const r = yield ctx.allSettled([ctx.call(double, 1), ctx.call(boom, "x")]);
  const first = yield ctx.any([ctx.call(boom, "y"), ctx.call(double, 5)]);
  return [r.map((x: any) => x.status), first];
});

export const looper = genOrchestration("looper", function* (ctx, s: { i: number; n: number }) {
  const next = yield ctx.call(double, s.i);
  if (s.i + 1 >= s.n) return { i: s.i + 1, last: next };
  return ctx.continueAsNew({ i: s.i + 1, n: s.n });
});

export const entityCaller = genOrchestration("entityCaller", function* (ctx, key: string) {
  yield ctx.entity(counter, key, "add", 5);
  const v = yield ctx.entity(counter, key, "add", 2);
  let err = "";
  try {
    yield ctx.entity(counter, key, "fail");
  } catch (e) {
    err = `${(e as Error).name}: ${(e as Error).message}`;
  }
  const after = yield ctx.entity(counter, key, "get");
  ctx.signal(counter, key, "add", 100);
  return { v, err, after };
});

export const bogus = genOrchestration("bogus", function* (ctx) {
  yield ctx.raw((taskId) => ({ kind: "teleport", taskId }) as any);
  return "unreachable";
});

export const app = [
  greet, countedGreet, boom, flaky, double, counter,
  helloSequence, countedOnce, failing, catching, retrying, parent, child, parentOfFailing,
  sleeper, eventWaiter, approval, fanOut, settled, looper, entityCaller, bogus,
];
