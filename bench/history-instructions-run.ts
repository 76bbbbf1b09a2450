/**
 * One measured process of bench/history-instructions.ts, run under
 * valgrind from a bundle of this file (the runtime's sources and the
 * workload compiled by nwc's compiler, so no loader or compiler runs in the
 * measured process): a host with Hello5 (compiled from bench/runtime-app.ts,
 * or the hand-written machine), WARMUP instances, then `n` more, all started
 * at once, then the host stops.
 *
 * Made to repeat itself: the partitions run on a virtual clock, so no timer
 * fires while there is work and batches are made of the same messages on
 * every run, the caller fixes V8's hash and random seeds, and the end of a
 * round is seen from the commits, not by polling. (Under valgrind, which
 * stretches wall time about fifty times, anything timed by the wall clock
 * would also add work that grows with it.) Time does not pass, so the
 * partitions' clock-driven work (checkpoints by interval, re-sends, lease
 * renewals) stays out, as it does in bench/runtime.ts's rounds of 10,000.
 * The `local` store's own file I/O still completes when the disk says, so
 * its counts vary a little more.
 *
 * Args: <compiled|hand-written> <on|off> <n> <memory|local>
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { activity } from "../runtime/api.ts";
import { createBackend } from "../runtime/backends/index.ts";
import type { CommitRecord, Lease } from "../runtime/backends/types.ts";
import { startHost } from "../runtime/host.ts";
import { VirtualClock } from "../runtime/testing/virtual-clock.ts";
import { sequence } from "./runtime-machines.ts";
import * as compiled from "./runtime-app.ts";

/** Instances before the measured ones: V8 tiers code up by call counts, so this many leave the same code for every run. */
const WARMUP = 300;
/** Steps of one Hello5: its start and one per greet result. */
const STEPS_PER_HELLO5 = 6;
const PARTITIONS = 4;
/** Longer than any run, in virtual time, which does not pass anyway: nothing waits on a timer. */
const NEVER_MS = 1e9;

const [variant, history, nArg, backendKind] = process.argv.slice(2);
if (!["compiled", "hand-written"].includes(variant!) || !["on", "off"].includes(history!) || !["memory", "local"].includes(backendKind!)) {
  throw new Error(`usage: history-instructions-run <compiled|hand-written> <on|off> <n> <memory|local>, got ${process.argv.slice(2).join(" ")}`);
}
const n = Number(nArg);

let app: unknown[];
let hello5: unknown;
if (variant === "compiled") {
  if (!(compiled.hello5 as { machine?: unknown }).machine) throw new Error("bench/runtime-app.ts was not compiled: run this through bench/history-instructions.ts, which bundles it compiled");
  app = [compiled.greet, compiled.hello5];
  hello5 = compiled.hello5;
} else {
  hello5 = sequence("hello5", "greet", 5);
  app = [activity("greet", async (name: string) => `Hello ${name}!`), hello5];
}

const clock = new VirtualClock();
const dir = backendKind === "local" ? mkdtempSync(join(tmpdir(), "nwc-bench-instr-")) : undefined;
const { backend } = await createBackend(dir ? { kind: "local", dir } : "memory", PARTITIONS, { clock });
// No version keeper: it stores the app's code at start and refreshes it on a wall-clock interval, neither per instance.
delete backend.versions;
// Every commit checks whether the round is over: the only way its end is seen, so nothing polls.
let afterCommit = () => {};
const append = backend.store.appendCommit.bind(backend.store);
backend.store.appendCommit = async (lease: Lease, record: CommitRecord, inputDurable?: Promise<void>) => {
  await append(lease, record, inputDurable);
  afterCommit();
};
const host = await startHost({
  app: app as never[],
  backend,
  partitions: PARTITIONS,
  clock,
  log: () => undefined,
  partitionOptions: {
    cacheSize: 200_000,
    readWaitMs: NEVER_MS,
    checkpointIntervalMs: NEVER_MS,
    resendAfterMs: NEVER_MS,
    leaseMs: 3 * NEVER_MS,
    ...(history === "off" ? { historyLimit: 0 } : {}),
  },
});

const stepsRun = () => host.partitions.reduce((sum, p) => sum + (p?.stats.steps ?? 0), 0);

/** Starts `count` Hello5 at once and returns once all their steps ran and the last ones' results are committed. */
async function round(count: number, prefix: string): Promise<void> {
  const target = stepsRun() + count * STEPS_PER_HELLO5;
  const stepped = new Promise<void>((resolve) => (afterCommit = () => stepsRun() >= target && resolve()));
  const ids = await Promise.all(Array.from({ length: count }, (_, i) => host.client.start(hello5 as never, null, { instanceId: `${prefix}-${i}` })));
  await stepped;
  // Two waiters, woken by the commit that ends their instance (the virtual clock never fires their status polls).
  for (const id of [ids[0]!, ids[ids.length - 1]!]) {
    const status = await host.client.wait(id);
    if (status.status !== "Completed") throw new Error(`${id} ended ${status.status}: ${JSON.stringify(status.error)}`);
  }
}

try {
  await round(WARMUP, "warm");
  if (n > 0) await round(n, "measured");
} finally {
  await host.stop();
  await backend.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
