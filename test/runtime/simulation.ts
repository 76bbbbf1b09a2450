/**
 * One simulated run: a host on the memory backend with seeded faults (drops,
 * duplicates, delays, failed sends, crashes before and after commits) and the
 * virtual clock, a small fixed workload, and the results it reached (outputs
 * of every instance and final entity states). The simulation test compares
 * each seed's results with a fault-free run.
 */
import { createMemoryBackend, SimClock, type FaultOptions } from "../../runtime/backends/memory/index.ts";
import { startHost } from "../../runtime/host.ts";
import * as A from "./machines/apps.ts";

export interface SimResult {
  outputs: Record<string, unknown>;
  entities: Record<string, unknown>;
  faults: Record<string, number>;
  virtualMs: number;
}

export function faultsFor(seed: number): FaultOptions {
  return {
    seed,
    dropRate: 0.05,
    duplicateRate: 0.05,
    delayRate: 0.1,
    maxDelayMs: 40,
    failSendRate: 0.03,
    crashBeforeCommitRate: 0.04,
    crashAfterCommitRate: 0.04,
    maxCrashes: 6,
  };
}

export async function simulate(faults: FaultOptions | undefined): Promise<SimResult> {
  const clock = new SimClock();
  const t0 = clock.now();
  const backend = createMemoryBackend({ partitions: 3, clock, faults });
  let finished = false;
  let failure: unknown;
  let host: Awaited<ReturnType<typeof startHost>> | undefined;
  const outputs: Record<string, unknown> = {};
  const entities: Record<string, unknown> = {};
  const scenario = (async () => {
  host = await startHost({
    app: A.app,
    backend,
    partitions: 3,
    clock,
    log: () => undefined,
    // Small numbers so every seed exercises re-sends, checkpoints, trimming and cache eviction.
    partitionOptions: { resendAfterMs: 40, readWaitMs: 25, checkpointEveryCommits: 4, cacheSize: 2, leaseMs: 600_000 },
  });
    const c = host.client;
    const ids = {
      hello: await c.start(A.helloSequence, ["a", "b"], { instanceId: "hello" }),
      fan: await c.start(A.fanOut, 4, { instanceId: "fan" }),
      parent: await c.start(A.parent, 2, { instanceId: "parent" }),
      ent: await c.start(A.entityCaller, "e1", { instanceId: "ent" }),
      events: await c.start(A.eventWaiter, ["x", "y"], { instanceId: "events" }),
      sleep: await c.start(A.sleeper, 30, { instanceId: "sleep" }),
      loop: await c.start(A.looper, { i: 0, n: 3 }, { instanceId: "loop" }),
    };
    await c.raise(ids.events, "y", "Y");
    await c.raise(ids.events, "x", "X");
    for (let i = 1; i <= 3; i++) await c.signal(A.counter, "s1", "add", i);
    for (const [k, id] of Object.entries(ids)) {
      const s = await c.wait(id, { timeoutMs: 300_000 });
      // ctx.now() after a timer is the time of the step that saw it fire, which faults delay: compare only the lower bound.
      const output = k === "sleep" ? (s.output as number) >= 30 : s.output;
      outputs[k] = { status: s.status, output, error: s.error?.message };
    }
    for (const key of ["e1", "s1"]) {
      // Signals are fire-and-forget: poll until the expected number of operations has applied.
      for (let tries = 0; tries < 2000; tries++) {
        const v = await c.readEntity<{ value: number }>(A.counter, key);
        entities[key] = v;
        if ((key === "e1" && v?.value === 107) || (key === "s1" && v?.value === 6)) break;
        await new Promise<void>((r) => clock.setTimeout(r, 10));
      }
    }
  })().then(
    () => (finished = true),
    (error) => {
      failure = error;
      finished = true;
    },
  );
  const done = await clock.run(() => finished, 3_600_000);
  let stopped = false;
  void host?.stop().finally(() => (stopped = true));
  await clock.run(() => stopped || host === undefined, 60_000);
  void scenario;
  if (!done) throw new Error("simulation did not finish within an hour of virtual time");
  if (failure) throw failure;
  return { outputs, entities, faults: { ...(backend.faults?.counts ?? {}) }, virtualMs: clock.now() - t0 };
}
