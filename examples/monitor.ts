/**
 * Monitor: poll a condition on a durable timer; each round ends with
 * continue-as-new, so the instance's state stays small however long it runs.
 *   npx nwc run examples/monitor.ts monitor --input '{"jobId":"job-7","round":0,"maxRounds":5,"intervalMs":100}'
 */
import { activity, orchestration } from "nwc";

/** Stands in for a status check of an external job: it is done from round 3 on. */
export const checkJob = activity("checkJob", async (q: { jobId: string; round: number }) => (q.round >= 3 ? "done" : "running"));
export const notify = activity("notify", async (message: string) => `sent: ${message}`);

export interface MonitorInput {
  jobId: string;
  round: number;
  maxRounds: number;
  intervalMs: number;
}

export const monitor = orchestration("monitor", async (ctx, m: MonitorInput) => {
  const state = await ctx.call(checkJob, { jobId: m.jobId, round: m.round });
  ctx.setStatus({ round: m.round, state });
  if (state === "done") return await ctx.call(notify, `${m.jobId} finished after ${m.round} rounds`);
  if (m.round + 1 >= m.maxRounds) return `gave up on ${m.jobId} after ${m.maxRounds} rounds`;
  await ctx.sleep(m.intervalMs);
  return ctx.continueAsNew({ ...m, round: m.round + 1 });
});
