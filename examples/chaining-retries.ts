/**
 * Retries and error handling: an activity that fails transiently is retried
 * with backoff by its retry policy; a permanent failure is caught, a
 * compensation runs, and the error is reported with its original name.
 *   npx nwc run examples/chaining-retries.ts orderWorkflow --input '{"orderId":"o-1","card":"ok"}'
 *   npx nwc run examples/chaining-retries.ts orderWorkflow --input '{"orderId":"o-2","card":"declined"}'
 */
import { activity, orchestration } from "nwc";

export class PaymentDeclined extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PaymentDeclined";
  }
}

/** Fails on its first two attempts (a flaky inventory service), then succeeds. */
export const reserveStock = activity(
  "reserveStock",
  async (orderId: string, actx) => {
    if (actx.attempt < 3) throw new Error(`inventory service unavailable (attempt ${actx.attempt})`);
    return `reserved for ${orderId} on attempt ${actx.attempt}`;
  },
  { retry: { maxAttempts: 5, backoffMs: 50, backoffCoefficient: 2 } },
);

export const chargeCard = activity("chargeCard", async (p: { orderId: string; card: string }) => {
  if (p.card === "declined") throw new PaymentDeclined(`card declined for ${p.orderId}`);
  return `charged ${p.orderId}`;
});

export const releaseStock = activity("releaseStock", async (orderId: string) => `released stock of ${orderId}`);

export const orderWorkflow = orchestration("orderWorkflow", async (ctx, order: { orderId: string; card: string }) => {
  const reserved = await ctx.call(reserveStock, order.orderId);
  try {
    const charged = await ctx.call(chargeCard, order);
    return { ok: true, steps: [reserved, charged] };
  } catch (error) {
    const undo = await ctx.call(releaseStock, order.orderId);
    const e = error as Error;
    return { ok: false, error: `${e.name}: ${e.message}`, steps: [reserved, undo] };
  }
});
