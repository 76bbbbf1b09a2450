/**
 * Human interaction: ask for approval, then wait for the "approval" event or a
 * timeout, whichever comes first; escalate on timeout.
 *   npx nwc run examples/human-approval.ts approvalWorkflow --input '{"request":"buy a boat","timeoutMs":2000}'
 * (with `nwc dev`, raise the event: POST /api/instances/<id>/events/approval  body: {"approved":true,"by":"alice"})
 */
import { activity, orchestration } from "nwc";

export const requestApproval = activity("requestApproval", async (request: string) => `approval requested for ${request}`);
export const escalate = activity("escalate", async (request: string) => `escalated ${request} to the manager`);

export interface Decision {
  approved: boolean;
  by: string;
}

export const approvalWorkflow = orchestration("approvalWorkflow", async (ctx, input: { request: string; timeoutMs: number }) => {
  await ctx.call(requestApproval, input.request);
  ctx.setStatus("waiting for approval");
  const decision = ctx.waitForEvent<Decision>("approval");
  const timeout = ctx.sleep(input.timeoutMs);
  const winner = await Promise.race([decision, timeout]);
  if (winner === undefined) {
    ctx.setStatus("escalated");
    return { outcome: "escalated", note: await ctx.call(escalate, input.request) };
  }
  ctx.setStatus("decided");
  return { outcome: winner.approved ? "approved" : "rejected", by: winner.by };
});
