/**
 * The partition processor behind `handlers.partition`: one Kinesis shard is one
 * partition; each invocation feeds the batch's records to that partition's core
 * (runtime/partitions/partition.ts) and returns once their effects are durable.
 *
 * - Warm invocations reuse the running partition (state cached in memory);
 *   a cold container, or one whose partition stopped (fenced, crashed), recovers
 *   it from DynamoDB (checkpoint + commit log) under a new lease epoch.
 * - A redelivered batch is harmless: records at or before what the partition
 *   consumed are skipped by the feed, and the core de-duplicates by seq.
 * - The answer lists as `batchItemFailures` the first record whose input
 *   position is not committed (Lambda re-delivers from there), or nothing.
 * - A poison record (not an nwc envelope, or addressed to another partition)
 *   is skipped once it is kept in the partitions table and logged
 *   (runtime/lambda/poison.ts): it can never apply, and must not hold the
 *   shard, nor vanish.
 *
 * Invariant: success is reported for a record only once a commit that consumed
 * it (or a later one) is durable, or when it changed nothing (a duplicate or an
 * ack, harmless to see again).
 */
import { randomUUID } from "node:crypto";
import type { Shard } from "@aws-sdk/client-kinesis";
import { App } from "../partitions/app.ts";
import { realClock } from "../partitions/clock.ts";
import { DEFAULT_PARTITION_OPTIONS, Partition, type PartitionOptions } from "../partitions/partition.ts";
import { registerMessageHandler } from "../partitions/registry.ts";
import { ActivityWorkers } from "../workers.ts";
import type { ActivityExecutor, ActivityTask } from "../partitions/executor.ts";
import { DispatchingExecutor, lambdaInvoke, type Invoke } from "./activity.ts";
import { createAwsBackend, type AwsBackend } from "../backends/aws/index.ts";
import { hostModules } from "../versions/host-modules.ts";
import { HOLD_REFRESH_MS, VersionKeeper, type StoredCode } from "../versions/keeper.ts";
import { listOpenShards } from "../backends/aws/resources.ts";
import type { ChannelRecord } from "../backends/types.ts";
import type { LambdaConfig } from "./config.ts";
import { tableNames } from "../backends/aws/options.ts";
import { partitionKey, poisonSk } from "../backends/aws/store/keys.ts";
import { shardIdOf, type BatchResponse, type KinesisStreamEvent } from "./events.ts";
import { keepPoison, sortBatch, type PoisonRecord } from "./poison.ts";
import { EventFeed } from "./feed.ts";
import { TrackingStore } from "./tracking-store.ts";

/** The timer function's wake-up message: it only makes the partition run a batch, which fires due timers. */
export const TIMER_TICK_KIND = "timerTick";
registerMessageHandler(TIMER_TICK_KIND, { keys: () => [], apply: () => undefined });

/** Time kept back from the invocation deadline to report partial results before Lambda kills us. */
const DEADLINE_MARGIN_MS = 5_000;
/** Without a Lambda context (tests): how long one invocation may wait for its batch to settle. */
const DEFAULT_SETTLE_MS = 60_000;
/** Poll interval while waiting for the batch to settle: short against a commit's ~10 ms. */
const SETTLE_POLL_MS = 5;
/**
 * Lease duration under Lambda: longer than the host default because a frozen
 * container cannot renew; a new container takes the lease over at once anyway
 * (takeOverLease), so this only bounds how long a stale one could believe it owns it.
 */
const LAMBDA_LEASE_MS = 5 * 60_000;

export interface InvocationContext {
  getRemainingTimeInMillis?(): number;
  awsRequestId?: string;
}

interface Running {
  partition: Partition;
  feed: EventFeed;
  store: TrackingStore;
  workers: CountingWorkers;
}

class CountingWorkers implements ActivityExecutor {
  inFlight = 0;
  constructor(private readonly inner: ActivityExecutor) {}
  async run(task: ActivityTask) {
    this.inFlight++;
    try {
      return await this.inner.run(task);
    } finally {
      this.inFlight--;
    }
  }
}

export class PartitionProcessor {
  private backend: Promise<AwsBackend> | undefined;
  private shards: Promise<Shard[]> | undefined;
  private readonly running = new Map<number, Running>();
  private readonly owner = `lambda:${randomUUID()}`;
  readonly stats = { invocations: 0, coldStarts: 0, recordsSkipped: 0, poisonRecords: 0 };
  /** The code of the versions this bundle runs (deploy/bundle.ts), stored at the first invocation. */
  storedVersions: readonly StoredCode[] = [];
  private keeper: VersionKeeper | undefined;
  private ownVersionsStored: Promise<void> | undefined;
  private ownVersionsStoredAt = 0;

  constructor(
    private readonly config: LambdaConfig,
    private readonly app: App,
    private readonly options: Partial<PartitionOptions> = {},
    private readonly log: (level: "warn" | "error", message: string) => void = (level, message) => console[level](message),
    /** Where activity attempts run: in this invocation (default), or dispatched to the activity function. */
    private readonly invokeActivity: Invoke | undefined = config.activityFunction ? lambdaInvoke(config.activityFunction, config.backend.region) : undefined,
  ) {}

  getBackend(): Promise<AwsBackend> {
    this.backend ??= createAwsBackend({ ...this.config.backend, createResources: false }, this.config.partitions).then((backend) => {
      // An instance on a version this bundle lacks finishes on the code stored in the tables (runtime/versions/).
      this.keeper = new VersionKeeper(backend.versions, this.log, async () => ({ modules: hostModules }), this.owner);
      this.app.versionSource ??= this.keeper;
      return backend;
    });
    return this.backend;
  }

  /**
   * The bundle's own versions are stored before any partition runs, so no
   * instance starts on an unstored one. Here, not in getBackend: the client
   * function shares that and its role may not write the partitions table.
   * Done again every HOLD_REFRESH_MS while the container lives: that renews
   * its hold (keeper.ts), so no host of another build deletes them meanwhile.
   */
  private storeOwnVersions(): Promise<void> {
    if (this.ownVersionsStored && Date.now() - this.ownVersionsStoredAt < HOLD_REFRESH_MS) return this.ownVersionsStored;
    this.ownVersionsStoredAt = Date.now();
    this.ownVersionsStored = this.keeper!.storeAll(this.storedVersions).catch((error) => {
      this.ownVersionsStored = undefined; // tried again by the next invocation
      throw error;
    });
    return this.ownVersionsStored;
  }

  async handle(event: KinesisStreamEvent, context: InvocationContext = {}): Promise<BatchResponse> {
    this.stats.invocations++;
    const records = event?.Records ?? [];
    if (records.length === 0) return { batchItemFailures: [] };
    const backend = await this.getBackend();
    const shardId = shardIdOf(records[0]);
    const index = await this.partitionOf(shardId);
    for (const r of records) {
      if (shardIdOf(r) !== shardId) throw new Error(`nwc lambda: one invocation got records of two shards (${shardIdOf(r)}, ${shardId})`);
    }
    const { good: channelRecords, poison } = sortBatch(records, index, shardId);
    const unkept = await this.keepPoisonRecords(backend, index, poison);
    if (channelRecords.length === 0) return { batchItemFailures: unkept ? [{ itemIdentifier: unkept }] : [] };
    let run: Running;
    try {
      await this.storeOwnVersions();
      run = await this.ensureRunning(backend, index);
    } catch (error) {
      this.log("error", `partition ${index}: could not start (${(error as Error).message})`);
      return this.failuresFrom(channelRecords, undefined, unkept);
    }
    const added = run.feed.push(channelRecords);
    this.stats.recordsSkipped += channelRecords.length - added;
    // Monotonic: the invocation's remaining time is a duration, not a wall-clock instant.
    const deadline = performance.now() + (context.getRemainingTimeInMillis ? context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS : DEFAULT_SETTLE_MS);
    await this.settle(run, deadline);
    if (run.partition.isStopped) this.running.delete(index);
    const busy = this.busy(run);
    if (!busy && !run.partition.isStopped) return this.failuresFrom([], undefined, unkept);
    return this.failuresFrom(channelRecords, run.store.committedInput ?? (await backend.store.readHead(index)).inputPosition, unkept);
  }

  /**
   * Keeps each poison record (poison.ts) and logs it; answers the sequence
   * number of the first one that could not be kept (Lambda must deliver it
   * again), or undefined when all are kept.
   */
  private async keepPoisonRecords(backend: AwsBackend, index: number, poison: PoisonRecord[]): Promise<string | undefined> {
    const table = tableNames(this.config.backend).partitions;
    for (const p of poison) {
      const where = `${table} ${partitionKey(index)}/${poisonSk(p.shardId, p.sequenceNumber)}`;
      try {
        await keepPoison(backend.clients.dynamodb, table, index, p, Date.now());
      } catch (error) {
        this.log("error", `partition ${index}: poison record ${p.sequenceNumber} of shard ${p.shardId} (${p.reason}) could not be kept in ${where} (${(error as Error).message}); it will be delivered again`);
        return p.sequenceNumber;
      }
      this.stats.poisonRecords++;
      this.log("error", `partition ${index}: skipped poison record ${p.sequenceNumber} of shard ${p.shardId}: ${p.reason}; kept in ${where}`);
    }
    return undefined;
  }

  /**
   * The first record not covered by the committed input position, or the
   * first poison record not kept (`unkept`), whichever comes first in the
   * stream: Lambda delivers it again with all after it.
   */
  private async failuresFrom(records: ChannelRecord[], committed: string | undefined, unkept: string | undefined): Promise<BatchResponse> {
    const backend = await this.getBackend();
    const compare = (a: string, b: string) => backend.channels.comparePositions(a, b);
    const first = records.find((r) => committed === undefined || compare(r.position, committed) > 0)?.position;
    const from = first === undefined ? unkept : unkept === undefined || compare(first, unkept) < 0 ? first : unkept;
    return { batchItemFailures: from !== undefined ? [{ itemIdentifier: from }] : [] };
  }

  private async partitionOf(shardId: string): Promise<number> {
    this.shards ??= this.getBackend().then((b) => listOpenShards(b.clients.kinesis, this.config.backend.stream));
    const shards = await this.shards;
    const index = shards.findIndex((s) => s.ShardId === shardId);
    if (index < 0) throw new Error(`nwc lambda: shard ${shardId} is not an open shard of stream ${this.config.backend.stream}`);
    return index;
  }

  private async ensureRunning(backend: AwsBackend, index: number): Promise<Running> {
    const existing = this.running.get(index);
    if (existing && !existing.partition.isStopped) return existing;
    this.stats.coldStarts++;
    const options: PartitionOptions = { ...DEFAULT_PARTITION_OPTIONS, leaseMs: LAMBDA_LEASE_MS, ...this.options };
    const lease = (await backend.store.acquireLease(index, this.owner, options.leaseMs))
      ?? (await backend.store.takeOverLease(index, this.owner, options.leaseMs));
    if (!lease) throw new Error(`partition ${index}: another container took the lease at the same moment`);
    const feed = new EventFeed(backend.channels, index);
    const store = new TrackingStore(backend.store, (a, b) => backend.channels.comparePositions(a, b));
    const local = new ActivityWorkers(this.app.activities);
    const workers = new CountingWorkers(this.invokeActivity ? new DispatchingExecutor(this.invokeActivity, local, (m) => this.log("warn", m)) : local);
    const partition = new Partition({
      index, channels: feed, store, lease, app: this.app, clock: realClock, executor: workers, options, log: this.log,
    });
    await partition.start();
    const run = { partition, feed, store, workers };
    this.running.set(index, run);
    return run;
  }

  /**
   * Work the invocation must see finished before it answers: records not yet
   * read, batches not yet run or committed, activities running (their results
   * commit in a later batch of this same invocation), messages being sent.
   */
  private busy(run: Running): boolean {
    return !run.feed.drained || !run.partition.idle ||
      run.workers.inFlight > 0 || run.feed.pendingSends > 0 || run.store.appendsInFlight > 0;
  }

  private async settle(run: Running, deadline: number): Promise<void> {
    // Two idle polls in a row: a batch can be between "taken from the queue" and "enqueued for commit".
    let idle = 0;
    while (performance.now() < deadline && !run.partition.isStopped && idle < 2) {
      idle = this.busy(run) ? 0 : idle + 1;
      await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
    }
  }

  /** Stops every running partition (releasing leases) and the SDK clients. */
  async close(): Promise<void> {
    for (const run of this.running.values()) await run.partition.stop();
    this.running.clear();
    if (this.backend) await (await this.backend).close();
    this.backend = undefined;
  }

  /** Test hook: forget cached partitions without releasing anything, as a container that died. */
  dropCache(): void {
    for (const run of this.running.values()) run.partition.crash("container discarded");
    this.running.clear();
  }
}
