// Differential test programs: how many jobs an async function takes to settle when it
// returns a task (JavaScript: one to call the task's then, one for the reaction), as
// other branches racing it observe.
import { orchestration } from "nwc";
import { echo } from "./acts.ts";

export const returnSettledTask = orchestration("returnSettledTask", async (ctx, hops: number) => {
  const settled = ctx.call(echo, "s");
  await settled;
  const returns = (async () => {
    return settled;
  })();
  const hopper = (async () => {
    for (let i = 0; i < hops; i++) await settled;
    return "hopper";
  })();
  return await Promise.race([returns, hopper]);
});

export const returnTaskCallsAfter = orchestration("returnTaskCallsAfter", async (ctx, hops: number) => {
  const log: string[] = [];
  const settled = ctx.call(echo, "s");
  await settled;
  const returns = (async () => settled)();
  const other = (async () => {
    for (let i = 0; i < hops; i++) await settled;
    log.push("other");
    return ctx.call(echo, "late");
  })();
  const first = await Promise.race([returns, other]);
  log.push(`first:${first}`);
  return log;
});

export const returnPendingTask = orchestration("returnPendingTask", async (ctx, hops: number) => {
  const pending = ctx.call(echo, "p");
  const returns = (async () => pending)();
  const watcher = (async () => {
    await pending;
    for (let i = 0; i < hops; i++) await pending;
    return "watcher";
  })();
  return await Promise.race([returns, watcher]);
});

export const inputs = {
  returnSettledTask: [0, 1, 2, 3, 4],
  returnTaskCallsAfter: [0, 1, 2, 3, 4],
  returnPendingTask: [0, 1, 2, 3],
};
