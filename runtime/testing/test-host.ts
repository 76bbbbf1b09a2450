/**
 * `createTestHost({ app })`: a host for users' own tests, on the memory
 * backend with a virtual clock. Timers cost no real time: while the test
 * waits for a result (`t.client.wait`, `handle.result()`) time skips to the
 * next timer whenever nothing else can happen, and `t.advance(ms)` moves it
 * explicitly. `t.mockActivity(activity, fn)` replaces an activity for this
 * host and records its calls.
 *
 * The client's own timeouts (`wait({ timeoutMs })`, start confirmation) are
 * in real time: they bound how long the test may take, not virtual time.
 *
 * Invariant: everything the test sees through `t.client` has committed; the
 * store outlives a simulated crash of the partitions (crash-everywhere.ts
 * relies on it).
 */
import type { Activity, ActivityContext } from "../api.ts";
import { MemoryChannels, MemoryStore, Faults } from "../backends/memory/index.ts";
import type { Backend, CommitRecord, InstanceStatusRecord, Lease } from "../backends/types.ts";
import { Client, type InstanceStatus, type InstanceRef } from "../client.ts";
import { Notifier, startHost, type Host } from "../host.ts";
import type { PartitionOptions } from "../partitions/partition.ts";
import { ActivityMocks, type ActivityMock } from "./activity-mocks.ts";
import { TimeDriver } from "./time-driver.ts";
import { VirtualClock, VIRTUAL_EPOCH_MS } from "./virtual-clock.ts";

export type { ActivityCall, ActivityMock } from "./activity-mocks.ts";

export interface TestHostOptions {
  /** Orchestrations, activities and entities, as for startHost. */
  app: unknown;
  /** Default 2: enough for messages between partitions, few enough to stay fast. */
  partitions?: number;
  /** Virtual time at start (default 2024-01-01T00:00:00Z), so dates in a test are the same on every run. */
  startTimeMs?: number;
  /** Warnings and errors of the host (default: printed, like startHost). */
  log?: (level: "warn" | "error", message: string) => void;
}

export interface TestHost {
  /** The same Client as startHost's; its `wait` lets virtual time skip ahead. */
  readonly client: Client;
  /** The underlying host (partitions, backend), for tests that look inside. */
  readonly host: Host;
  /** Current virtual time (epoch ms), what `ctx.now()` sees. */
  now(): number;
  /** Moves virtual time forward by `ms`, firing due timers in order; resolves once their work has committed. */
  advance(ms: number): Promise<void>;
  /** Resolves once all work under way has committed, without moving time (e.g. after `client.signal`). */
  settle(): Promise<void>;
  /** Serves `activity` by `fn` on this host from now on; the result lists each call. */
  mockActivity<I, O>(activity: Activity<I, O> | string, fn: (input: I, actx: ActivityContext) => O | Promise<O>): ActivityMock<I>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Internal knobs of crash-everywhere runs. */
export interface TestHostInternals {
  /** Crash every partition right after the commit with this 1-based number (counted over the whole store). */
  crashAfterCommit?: number;
}

/**
 * Partition tuning for virtual time. Every internal period is a timer the
 * driver may have to jump to on the way to a user's timer: long periods keep a
 * 24-hour wait to a few hundred jumps. Nothing is lost by them here: memory
 * channels wake a waiting read at once, nothing drops messages (recovery
 * re-sends the outbox), and one host holds every lease.
 */
const TEST_PARTITION_OPTIONS: Partial<PartitionOptions> = {
  readWaitMs: 3_600_000,
  resendAfterMs: 600_000,
  leaseMs: 3 * 3_600_000,
};

/** Counts commits and, in crash runs, crashes every partition after the chosen one. */
class CommitPoints extends Faults {
  commits = 0;
  crashed = false;
  onCrash: (() => void) | undefined;

  constructor(private readonly crashAfter: number | undefined) {
    super({ seed: 1 });
  }

  override crashBeforeCommit(): boolean {
    return false;
  }

  override crashAfterCommit(): boolean {
    this.commits++;
    if (this.commits !== this.crashAfter) return false;
    this.crashed = true;
    this.counts.crashesAfter++;
    this.onCrash?.();
    return true;
  }
}

/** The memory store, publishing each durable commit's status rows to the test client. */
class NotifyingStore extends MemoryStore {
  onCommitted: ((statuses: InstanceStatusRecord[]) => void) | undefined;

  override async appendCommit(lease: Lease, record: CommitRecord, inputDurable?: Promise<void>): Promise<void> {
    const before = this.appendedCommits;
    try {
      await super.appendCommit(lease, record, inputDurable);
    } finally {
      // A crash right after the append still leaves the record durable: its statuses are visible.
      if (this.appendedCommits > before && record.statusUpdates.length > 0) this.onCommitted?.(record.statusUpdates);
    }
  }
}

/** The test host's client: waiting for a result is what lets time skip. */
class TestClient extends Client {
  constructor(backend: Backend, partitions: number, context: ConstructorParameters<typeof Client>[2], private readonly driver: TimeDriver) {
    super(backend, partitions, context);
  }

  override wait<O = unknown>(instance: string | InstanceRef<O>, options?: { timeoutMs?: number }): Promise<InstanceStatus<O>> {
    return this.driver.whileWaiting(() => super.wait(instance, options));
  }
}

export async function createTestHost(options: TestHostOptions): Promise<TestHost> {
  if (typeof options === "object" && options !== null && "crashEverywhere" in options) {
    // One host cannot re-run the test: the scenario has to be a function runScenario can call once per crash point.
    throw new TypeError("createTestHost: crashEverywhere needs the scenario as a function; use runScenario({ app, crashEverywhere: true }, async (t) => { ...; return result })");
  }
  return startTestHost(options, {});
}

export async function startTestHost(options: TestHostOptions, internals: TestHostInternals): Promise<TestHost & { readonly commits: number; readonly crashed: boolean }> {
  if (typeof options !== "object" || options === null) throw new TypeError("createTestHost: pass { app: [...] }");
  const partitions = options.partitions ?? 2;
  const clock = new VirtualClock(options.startTimeMs ?? VIRTUAL_EPOCH_MS);
  const points = new CommitPoints(internals.crashAfterCommit);
  const channels = new MemoryChannels(partitions, clock);
  const store = new NotifyingStore(partitions, clock, points);
  const backend: Backend = { kind: "memory", channels, store, close: async () => { await channels.close(); await store.close(); } };
  const mocks = new ActivityMocks();
  let host: Host | undefined;
  const driver = new TimeDriver(clock, {
    busy: () => mocks.running > 0 || (host?.partitions.some((p) => p !== undefined && !p.isStopped && !p.idle) ?? true),
    partitionDown: () => host !== undefined && host.partitions.some((p) => p === undefined || p.isStopped),
    progress: () => `${store.appendedCommits}/${channels.sentEnvelopes}/${mocks.started}`,
  });
  mocks.onSettled = () => driver.poke();
  try {
    host = await startHost({ app: options.app, backend, partitions, clock, partitionOptions: TEST_PARTITION_OPTIONS, log: crashQuietly(options.log) });
  } catch (error) {
    await driver.stop();
    await backend.close();
    throw error;
  }
  const live = host;
  points.onCrash = () => live.partitions.forEach((_, i) => live.crashPartition(i));
  mocks.install(live.app.activities);
  const notifier = new Notifier(() => true);
  store.onCommitted = (statuses) => notifier.publish(statuses);
  const client = new TestClient(backend, partitions, { app: live.app, notifier }, driver);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await live.stop();
    await driver.stop();
    await backend.close();
  };
  return {
    client,
    host: live,
    get commits() {
      return points.commits;
    },
    get crashed() {
      return points.crashed;
    },
    now: () => clock.now(),
    advance: (ms) => driver.advance(ms),
    settle: async () => {
      await driver.quiet();
    },
    mockActivity<I, O>(activity: Activity<I, O> | string, fn: (input: I, actx: ActivityContext) => O | Promise<O>): ActivityMock<I> {
      const name = typeof activity === "string" ? activity : activity?.name;
      if (typeof name !== "string") throw new TypeError("mockActivity: the first argument must be an activity (or its name)");
      return mocks.mock<I>(live.app.activities, name, fn as (input: unknown, actx: ActivityContext) => unknown);
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

const defaultLog = (level: "warn" | "error", message: string) => (level === "error" ? console.error : console.warn)(`nwc: ${message}`);

/** The partitions crashed on purpose (crash-everywhere runs) say so in the log: that is not news to the test. */
function crashQuietly(log: TestHostOptions["log"] = defaultLog): NonNullable<TestHostOptions["log"]> {
  return (level, message) => {
    if (!message.endsWith("stopped: simulated crash")) log(level, message);
  };
}
