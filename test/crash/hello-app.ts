/**
 * The crash test's workload: hello3 calls one activity three times in
 * sequence; the activity records `<instanceId> <step>` through the recorder
 * the child process installs (it appends to a file before the activity
 * returns), so every execution, re-executions after a SIGKILL included, is on
 * disk for the parent to count. The recorder is a global so that this file
 * needs no Node types (the compiler checks it without them).
 */
import { activity, orchestration } from "nwc";

type Recorder = (line: string) => void;

export const record = activity("record", async (input: { id: string; step: number }) => {
  const recordExecution = (globalThis as { nwcCrashRecord?: Recorder }).nwcCrashRecord;
  if (!recordExecution) throw new Error("hello-app: no recorder installed (run it from hello-crash-child.ts)");
  recordExecution(`${input.id} ${input.step}`);
  return `Hello ${input.id}#${input.step}!`;
});

export const hello3 = orchestration("hello3", async (ctx, id: string) => {
  const out: string[] = [];
  for (let step = 1; step <= 3; step++) out.push(await ctx.call(record, { id, step }));
  return out;
});
