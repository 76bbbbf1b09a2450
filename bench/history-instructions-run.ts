/**
 * One measured process of bench/history-instructions.ts, run under
 * valgrind: a host with Hello5 (compiled from bench/runtime-app.ts by the
 * compile-on-load hook, or the hand-written machine), WARMUP instances, then
 * `n` more, all started at once, then the host stops.
 *
 * Nothing here may do work that grows with the wall time, which valgrind
 * stretches about fifty times (and more for the slower configuration): the
 * end of a round is seen by polling the partitions' step counters a few
 * times a second instead of by client.wait (whose thousands of waiters each
 * poll the status every 250 ms), and the partitions' clock-driven work
 * (checkpoints by interval, re-sends, lease renewals) is set beyond the
 * run, as bench/runtime.ts's rounds of 10,000 end before any of it comes due.
 *
 * Args: <compiled|hand-written> <on|off> <n> <memory|local>
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { activity } from "../runtime/api.ts";
import { startHost } from "../runtime/host.ts";
import { sequence } from "./runtime-machines.ts";

/** Instances before the measured ones: V8 tiers code up by call counts, so this many leave the same code for every run. */
const WARMUP = 300;
/** Steps of one Hello5: its start and one per greet result. */
const STEPS_PER_HELLO5 = 6;
/** Longer than any run: the clock-driven work stays out of it (see the header). */
const NEVER_MS = 1e9;

const [variant, history, nArg, backend] = process.argv.slice(2);
if (!["compiled", "hand-written"].includes(variant!) || !["on", "off"].includes(history!) || !["memory", "local"].includes(backend!)) {
  throw new Error(`usage: history-instructions-run.ts <compiled|hand-written> <on|off> <n> <memory|local>, got ${process.argv.slice(2).join(" ")}`);
}
const n = Number(nArg);

let app: unknown[];
let hello5: unknown;
if (variant === "compiled") {
  // Compiled on load (the caller runs this once without valgrind first, so the compiler's output is in its cache).
  const compiled = await import("./runtime-app.ts");
  if (!(compiled.hello5 as { machine?: unknown }).machine) throw new Error("bench/runtime-app.ts was not compiled: run with --import nwc/register");
  app = [compiled.greet, compiled.hello5];
  hello5 = compiled.hello5;
} else {
  hello5 = sequence("hello5", "greet", 5);
  app = [activity("greet", async (name: string) => `Hello ${name}!`), hello5];
}

const dir = backend === "local" ? mkdtempSync(join(tmpdir(), "nwc-bench-instr-")) : undefined;
const host = await startHost({
  app: app as never[],
  backend: dir ? { kind: "local", dir } : "memory",
  partitions: 4,
  log: () => undefined,
  partitionOptions: {
    cacheSize: 200_000,
    checkpointIntervalMs: NEVER_MS,
    resendAfterMs: NEVER_MS,
    leaseMs: NEVER_MS,
    ...(history === "off" ? { historyLimit: 0 } : {}),
  },
});

const stepsRun = () => host.partitions.reduce((sum, p) => sum + (p?.stats.steps ?? 0), 0);

/** Starts `count` Hello5 at once and returns when all their steps ran and the last one's result is committed. */
async function round(count: number, prefix: string): Promise<void> {
  const target = stepsRun() + count * STEPS_PER_HELLO5;
  const ids = await Promise.all(Array.from({ length: count }, (_, i) => host.client.start(hello5 as never, null, { instanceId: `${prefix}-${i}` })));
  while (stepsRun() < target) await new Promise((r) => setTimeout(r, 100));
  for (const id of [ids[0]!, ids[ids.length - 1]!]) {
    const status = await host.client.wait(id, { timeoutMs: 600_000 });
    if (status.status !== "Completed") throw new Error(`${id} ended ${status.status}: ${JSON.stringify(status.error)}`);
  }
}

try {
  await round(WARMUP, "warm");
  if (n > 0) await round(n, "measured");
} finally {
  await host.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
