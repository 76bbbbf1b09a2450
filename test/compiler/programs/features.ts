// Differential test programs: ctx features (timers, events, time, randomness, status, entities, locks, sagas, transactions).
import { entity, orchestration } from "nwc";
import { boom, double, echo, fail } from "./acts.ts";

export const account = entity("Account", {
  init: () => ({ balance: 0 }),
  ops: {
    get: (s: { balance: number }) => s.balance,
    add: (s: { balance: number }, n: number) => { s.balance += n; },
  },
});

export const timersEvents = orchestration("timersEvents", async (ctx, ms: number) => {
  await ctx.sleep(ms);
  const ev = await ctx.waitForEvent<string>("approve");
  await ctx.sleepUntil(ctx.now() + 5);
  return [ev, ctx.now(), ctx.instanceId];
});

export const randomness = orchestration("randomness", async (ctx, n: number) => {
  const out: unknown[] = [ctx.random()];
  for (let i = 0; i < n; i++) out.push(await ctx.call(echo, Math.floor(ctx.random() * 1000)));
  out.push(ctx.uuid());
  return out;
});

export const status = orchestration("status", async (ctx, x: number) => {
  ctx.setStatus({ phase: "start" });
  const v = await ctx.call(double, x);
  ctx.setStatus({ phase: "done", v });
  return v;
});

export const continueAsNew = orchestration("continueAsNew", async (ctx, n: number) => {
  const v = await ctx.call(double, n);
  if (v < 100) return ctx.continueAsNew(v);
  return v;
});

export const entities = orchestration("entities", async (ctx, key: string) => {
  ctx.signal(account, key).add(5);
  const b = await ctx.entity(account, key).get();
  await ctx.entity(account, key).add(3);
  return b;
});

export const lockScope = orchestration("lockScope", async (ctx, t: { from: string; to: string }) => {
  const log: unknown[] = [];
  {
    await using _lock = await ctx.lock(account.id(t.from), account.id(t.to));
    log.push(await ctx.entity(account, t.from).get());
    if (t.from === "x") return log;
    log.push(await ctx.entity(account, t.to).get());
  }
  log.push(await ctx.call(echo, "after"));
  return log;
});

export const lockThrow = orchestration("lockThrow", async (ctx, k: string) => {
  try {
    await using _l = await ctx.lock(account.id(k));
    await ctx.call(fail, "inside lock");
  } catch (e) {
    return "released after " + (e as Error).message;
  }
  return "no";
});

export const saga = orchestration("saga", async (ctx, failAt: number) => {
  const s = ctx.saga();
  try {
    await s.step(double, 1, echo, "undo1");
    await s.step(double, 2, echo);
    if (failAt === 3) await s.step(boom, "three", echo, "undo3");
    await s.step(double, 4, fail, "undo4");
    if (failAt === 5) await s.step(fail, "five");
    return "ok";
  } catch (e) {
    const report = await s.compensate();
    return { error: (e as Error).message, report };
  }
});

export const transaction = orchestration("transaction", async (ctx, t: { a: string; b: string; fail: boolean }) => {
  try {
    const r = await ctx.transaction([account.id(t.a), account.id(t.b)], async (tx) => {
      const x = await tx.entity(account, t.a).get();
      await tx.entity(account, t.b).add(1);
      if (t.fail) throw new Error("abort " + x);
      return x;
    });
    return ["committed", r];
  } catch (e) {
    return ["aborted", (e as Error).message];
  }
});

export const inputs: Record<string, unknown[]> = {
  timersEvents: [10], randomness: [3], status: [2], continueAsNew: [1, 60], entities: ["k1"],
  lockScope: [{ from: "a", to: "b" }, { from: "x", to: "y" }], lockThrow: ["a"], saga: [0, 3, 5],
  transaction: [{ a: "a", b: "b", fail: false }, { a: "a", b: "b", fail: true }],
};
