/**
 * The host: `startHost({ app, backend, partitions })` runs every partition
 * of the backend in this process (each under a lease, restarted by recovery
 * after a crash), the activity workers, and hands out a client.
 *
 * Invariants: at most one live incarnation per partition in this host; a
 * crashed incarnation is replaced only after it has stopped writing (its
 * commit chain refuses further work); a fenced one (another owner took the
 * lease) is retried only by acquiring the lease anew; a permanent store
 * error (a damaged file, a read-only directory, a store held by another live
 * process: runtime/backends/errors.ts) is never retried: before the host is
 * ready, `startHost` rejects with it; after, the partition stays down and the
 * error is logged once.
 */
import { App } from "./partitions/app.ts";
import { createBackend, type BackendSpec } from "./backends/index.ts";
import type { Backend, InstanceStatusRecord } from "./backends/types.ts";
import { isPermanentStoreError, LeaseHeld } from "./backends/errors.ts";
import { Client, type StatusNotifier } from "./client.ts";
import { realClock, type Clock } from "./partitions/clock.ts";
import { partitionOfInstance } from "./partitions/hash.ts";
import type { StepTrace } from "./partitions/batch.ts";
import { DEFAULT_PARTITION_OPTIONS, Partition, type PartitionOptions } from "./partitions/partition.ts";
import { ActivityWorkers, MAX_CONCURRENT_ACTIVITIES } from "./workers.ts";
import { ownModuleUrl } from "./package-layout.ts";
import { HOLD_REFRESH_MS, VersionKeeper } from "./versions/keeper.ts";

export type { StepTrace } from "./partitions/batch.ts";
export type { PartitionOptions } from "./partitions/partition.ts";

export interface HostOptions {
  /** Orchestrations, activities and entities: a flat or nested array (or module namespaces). */
  app: unknown;
  /** Default `{ kind: "local", dir: ".nwc" }`. */
  backend?: BackendSpec;
  /** Default 4. */
  partitions?: number;
  /** Tuning of the partition core (batch sizes, checkpoint interval, cache size, ...). */
  partitionOptions?: Partial<PartitionOptions>;
  maxConcurrentActivities?: number;
  /** Time source; the simulator passes its virtual clock. */
  clock?: Clock;
  /** Every machine step (nwc run's timeline, the dev dashboard). */
  onStep?: (trace: StepTrace) => void;
  log?: (level: "warn" | "error", message: string) => void;
  hostId?: string;
}

export interface Host {
  readonly client: Client;
  readonly backend: Backend;
  readonly app: App;
  readonly workers: ActivityWorkers;
  /** The live incarnation of each partition (undefined while it restarts). */
  readonly partitions: readonly (Partition | undefined)[];
  /** Crash partition `index` now (tests); it restarts by recovery. */
  crashPartition(index: number): void;
  /** Resolves when every partition has a live incarnation. */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

/** Delay before restarting a crashed partition: long enough not to spin on a persistent failure, short enough for tests. */
export const RESTART_DELAY_MS = 20;

/** Status notifications to the host's client, published once each commit is durable. */
export class Notifier implements StatusNotifier {
  private readonly subs = new Map<string, Set<(status: InstanceStatusRecord) => void>>();

  constructor(private readonly runsPartitionOf: (instanceId: string) => boolean) {}

  subscribe(instanceId: string, fn: (status: InstanceStatusRecord) => void): () => void {
    let set = this.subs.get(instanceId);
    if (!set) this.subs.set(instanceId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.subs.get(instanceId) === set) this.subs.delete(instanceId);
    };
  }

  covers(instanceId: string): boolean {
    return this.runsPartitionOf(instanceId);
  }

  /** Called after the commit holding `statuses` is durable. */
  publish(statuses: InstanceStatusRecord[]): void {
    for (const s of statuses) {
      const set = this.subs.get(s.instanceId);
      if (set) for (const fn of [...set]) fn(s);
    }
  }
}

export async function startHost(options: HostOptions): Promise<Host> {
  if (typeof options !== "object" || options === null) throw new TypeError("startHost: pass { app: [...], backend, partitions }");
  const app = App.from(options.app);
  const partitionCount = options.partitions ?? 4;
  const clock = options.clock ?? realClock;
  const { backend, owned } = await createBackend(options.backend, partitionCount, { clock });
  const partitionOptions: PartitionOptions = { ...DEFAULT_PARTITION_OPTIONS, ...options.partitionOptions };
  const workers = new ActivityWorkers(app.activities, options.maxConcurrentActivities ?? MAX_CONCURRENT_ACTIVITIES);
  const hostId = options.hostId ?? `host-${globalThis.crypto.randomUUID()}`;
  const log = options.log ?? ((level, message) => (level === "error" ? console.error : console.warn)(`nwc: ${message}`));
  const live: (Partition | undefined)[] = new Array(partitionCount).fill(undefined);
  const notifier = new Notifier((instanceId) => live[partitionOfInstance(instanceId, partitionCount)] !== undefined);
  // Every version of the app is stored before any partition starts: no instance can start on an unstored version.
  const keeper = await startVersionKeeper(backend, app, hostId, log);
  // A running host holds its app's versions (keeper.ts): said again every few minutes, released at stop.
  const holdTimer = keeper ? setInterval(() => void keeper.storeApp(app), HOLD_REFRESH_MS) : undefined;
  (holdTimer as { unref?: () => void } | undefined)?.unref?.();
  /** An instance on a version the app does not start any more ended: its version may be unused now. */
  const onCommitted = (statuses: InstanceStatusRecord[]) => {
    notifier.publish(statuses);
    if (keeper && statuses.some((s) => s.version !== undefined && !app.given.has(`${s.name}@${s.version}`) && (s.status === "Completed" || s.status === "Failed" || s.status === "Terminated"))) {
      void keeper.sweep(backend.store, app);
    }
  };
  let stopping = false;
  let wakeSupervisors!: () => void;
  const stopped = new Promise<void>((r) => (wakeSupervisors = r));
  /** A supervisor's pause, cut short by stop(). */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const handle = clock.setTimeout(resolve, ms);
      void stopped.then(() => {
        clock.clearTimeout(handle);
        resolve();
      });
    });
  const readyWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  let started = false;
  /** The permanent error that ended start-up (startHost rejects with it). */
  let startFailure: unknown;
  const checkReady = () => {
    if (startFailure !== undefined) readyWaiters.splice(0).forEach((w) => w.reject(startFailure));
    else if (live.every((p) => p && !p.isStopped)) readyWaiters.splice(0).forEach((w) => w.resolve());
  };
  /** A permanent store error: retrying would fail the same way (or hang), so say it once and stop trying. */
  const giveUp = (index: number, error: unknown) => {
    if (!started) {
      startFailure ??= error;
      checkReady();
    } else {
      log("error", `partition ${index} stays stopped: ${(error as Error).message}`);
    }
  };

  async function supervise(index: number): Promise<void> {
    let waitLogged = false;
    while (!stopping) {
      let lease;
      try {
        lease = await backend.store.acquireLease(index, hostId, partitionOptions.leaseMs);
      } catch (error) {
        // Held by another live process: fatal at start-up (nwc run next to nwc dev); a running host waits, saying so once.
        const heldByOther = started && error instanceof LeaseHeld;
        if (isPermanentStoreError(error) && !heldByOther) return giveUp(index, error);
        if (!(heldByOther && waitLogged)) log("warn", `partition ${index}: lease request failed: ${(error as Error).message}`);
        waitLogged ||= heldByOther;
        await pause(partitionOptions.leaseMs / 3);
        continue;
      }
      if (!lease) {
        if (!waitLogged && backend.store.leaseHolder) {
          // Say what the host waits for, once per wait: otherwise a start-up that waits for a lease looks hung.
          // (Only stores that can name the holder: on AWS, hosts sharing partitions wait for each other as a matter of course.)
          const holder = await backend.store.leaseHolder(index).catch(() => undefined);
          log("warn", `partition ${index}: waiting for its lease${holder ? `, held by ${holder}` : ""}`);
          waitLogged = true;
        }
        await pause(partitionOptions.leaseMs / 3);
        continue;
      }
      waitLogged = false;
      const partition = new Partition({
        index,
        channels: backend.channels,
        store: backend.store,
        lease,
        app,
        clock,
        executor: workers,
        options: partitionOptions,
        log,
        onStep: options.onStep,
        onCommitted,
      });
      try {
        await partition.start();
      } catch (error) {
        if (isPermanentStoreError(error)) {
          await backend.store.releaseLease(lease).catch(() => undefined);
          return giveUp(index, error);
        }
        if ((error as Error)?.name !== "SimulatedCrash") log("error", `partition ${index}: recovery failed: ${(error as Error).message}`);
        await pause(RESTART_DELAY_MS);
        continue;
      }
      if (stopping) {
        await partition.stop();
        return;
      }
      live[index] = partition;
      checkReady();
      const reason = await partition.done;
      live[index] = undefined;
      if (stopping) return;
      if (reason.kind === "crashed" && isPermanentStoreError(reason.error)) return giveUp(index, reason.error);
      await pause(reason.kind === "fenced" ? partitionOptions.leaseMs / 3 : RESTART_DELAY_MS);
    }
  }

  const supervisors = Array.from({ length: partitionCount }, (_, i) => supervise(i));
  const ready = () => new Promise<void>((resolve, reject) => {
    readyWaiters.push({ resolve, reject });
    checkReady();
  });
  try {
    await ready();
  } catch (error) {
    // Start-up failed for good: stop what did start, so that the process can exit, and report why.
    stopping = true;
    wakeSupervisors();
    await Promise.all(live.map((p) => p?.stop()));
    await Promise.all(supervisors);
    if (owned) await backend.close();
    throw error;
  }
  started = true;
  if (keeper) void keeper.sweep(backend.store, app);

  const client = new Client(backend, partitionCount, { app, clock, notifier, historyLimit: partitionOptions.historyLimit });
  return {
    client,
    backend,
    app,
    workers,
    partitions: live,
    ready,
    crashPartition(index: number) {
      live[index]?.crash();
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      wakeSupervisors();
      // Every partition halts (its last sends written) before any releases its lease, which records its
      // channel's end: a send of one partition landing after another's release would lie past that end.
      // (Taken now: a halted partition leaves `live`.)
      const running = live.filter((p) => p !== undefined);
      await Promise.all(running.map((p) => p.halt()));
      await Promise.all(running.map((p) => p.stop()));
      await Promise.all(supervisors);
      clearInterval(holdTimer);
      await keeper?.settled(); // a sweep in flight ends before the backend closes
      await keeper?.releaseApp(app);
      if (owned) await backend.close();
    },
  };
}

/**
 * In Node, the keeper of the backend's stored versions becomes the app's
 * version source after storing the app's versions. Its Node side (esbuild,
 * node: modules) is imported by a computed URL, and only when something is to
 * be stored or loaded, so the playground's browser bundle does not include it.
 */
async function startVersionKeeper(backend: Backend, app: App, hostId: string, log: (level: "warn" | "error", message: string) => void): Promise<VersionKeeper | undefined> {
  if (!backend.versions || typeof process === "undefined" || !process.versions?.node) return undefined;
  const keeper = new VersionKeeper(backend.versions, log, async () => {
    const { nodeKeeperTools } = (await import(ownModuleUrl("./versions/node.ts", import.meta.url).href)) as typeof import("./versions/node.ts");
    return nodeKeeperTools();
  }, hostId);
  await keeper.storeApp(app);
  app.versionSource = keeper;
  return keeper;
}
