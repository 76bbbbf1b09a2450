/**
 * The application the tests of nwc/testing run (compiled on load): an
 * approval raced against a 24-hour timeout, a payment whose activity the
 * tests mock, an orchestration that fails, and a counter entity.
 */
import { activity, entity, orchestration, type OrchestrationContext } from "../../runtime/api.ts";

export interface Decision {
  approved: boolean;
  by: string;
}

export const DAY_MS = 24 * 3600_000;

export const requestApproval = activity("requestApproval", async (request: string) => `asked for ${request}`);

/** Waits a day for "approval"; the event map on ctx types waitForEvent here and handle.raise in clients. */
export const approval = orchestration("approval", async (ctx: OrchestrationContext<{ approval: Decision }>, request: string) => {
  await ctx.call(requestApproval, request);
  const startedAt = ctx.now();
  const winner = await Promise.race([ctx.waitForEvent("approval"), ctx.sleep(DAY_MS)]);
  const waitedMs = ctx.now() - startedAt;
  if (winner === undefined) return { outcome: "timed out", waitedMs };
  return { outcome: winner.approved ? "approved" : "rejected", by: winner.by, waitedMs };
});

export const charge = activity("charge", async (amount: number): Promise<number> => {
  throw new Error(`charge(${amount}) must be mocked in tests`);
});

/** Charges twice in sequence and once more an hour later; returns what the payment service answered. */
export const payment = orchestration("payment", async (ctx, amount: number) => {
  const first = await ctx.call(charge, amount);
  const second = await ctx.call(charge, amount * 2);
  await ctx.sleep(3600_000);
  const third = await ctx.call(charge, amount * 3);
  return [first, second, third];
});

export const failing = orchestration("failing", async (ctx, why: string) => {
  await ctx.sleep(1000);
  if (why.length > 0) throw new RangeError(`refused: ${why}`);
  return "accepted";
});

export const counter = entity("Counter", {
  init: () => ({ value: 0 }),
  ops: {
    add: (s: { value: number }, n: number) => {
      s.value += n;
      return s.value;
    },
    get: (s: { value: number }) => s.value,
    reset: (s: { value: number }) => {
      s.value = 0;
    },
  },
});

export const app = [approval, requestApproval, payment, charge, failing, counter];
