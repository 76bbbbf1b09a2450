/**
 * The client's timeouts run on the monotonic clock: a wall clock stepped back
 * (Date.now stubbed in-process, as NTP or a user changing the date would do)
 * must not stretch `wait(id, { timeoutMs })`, nor cut it short when stepped forward.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createMemoryBackend } from "../../runtime/backends/memory/index.ts";
import { connect, WaitTimeoutError } from "../../runtime/client.ts";
import { startHost } from "../../runtime/host.ts";
import * as A from "./machines/apps.ts";

const HOUR_MS = 3_600_000;
const realDateNow = Date.now;

/** From now on, wall time reads `shiftMs` off the real one (negative: stepped back). */
function stepWallClock(shiftMs: number): void {
  Date.now = () => realDateNow() + shiftMs;
}

test.after.each(() => {
  Date.now = realDateNow;
});

/** Settles with how long `promise` took, or "pending" after `limitMs` (so a regression fails instead of hanging). */
async function timed<T>(promise: Promise<T>, limitMs: number): Promise<{ ms: number; outcome: T | Error | "pending" }> {
  const started = performance.now();
  const outcome = await Promise.race([
    promise.catch((e: Error) => e),
    new Promise<"pending">((r) => setTimeout(() => r("pending"), limitMs)),
  ]);
  return { ms: performance.now() - started, outcome };
}

test("wait() times out on time when the wall clock steps back an hour during the wait", async () => {
  const host = await startHost({ app: A.app, backend: "memory", partitions: 2, log: () => undefined });
  try {
    const id = await host.client.start(A.eventWaiter, ["never"], { instanceId: "stuck" });
    const waiting = timed(host.client.wait(id, { timeoutMs: 500 }), 5_000);
    await new Promise((r) => setTimeout(r, 50));
    stepWallClock(-HOUR_MS);
    const { ms, outcome } = await waiting;
    assert.instance(outcome, WaitTimeoutError, `wait must time out, got ${String(outcome)}`);
    assert.ok(ms < 1_500, `timed out after ${ms.toFixed(0)} ms of a 500 ms timeout`);
  } finally {
    Date.now = realDateNow;
    await host.stop();
  }
});

test("wait() does not time out early when the wall clock steps forward an hour", async () => {
  // A connect() client polls (at most every 250 ms), so its wait loop looks at the clock while the step is in force.
  const backend = createMemoryBackend({ partitions: 2 });
  const host = await startHost({ app: A.app, backend, partitions: 2, log: () => undefined });
  const client = await connect({ backend, partitions: 2 });
  try {
    const id = await client.start(A.eventWaiter, ["go"], { instanceId: "raised" });
    const waiting = timed(client.wait(id, { timeoutMs: 5_000 }), 5_000);
    await new Promise((r) => setTimeout(r, 50));
    stepWallClock(HOUR_MS);
    await new Promise((r) => setTimeout(r, 700));
    await client.raise(id, "go", 1);
    const { outcome } = await waiting;
    assert.is((outcome as { status?: string }).status, "Completed", `got ${String(outcome)}`);
  } finally {
    Date.now = realDateNow;
    await client.close();
    await host.stop();
    await backend.close();
  }
});

test.run();
