/**
 * One partition incarnation: recover, then loop { take a batch of input
 * records and local events; de-duplicate; load the objects it needs; apply
 * every message through the handler table; step the instances that have
 * wakes; build one commit record and append it behind the previous ones }.
 *
 * Persistence pipelining: the next batch runs on the uncommitted state while
 * earlier commits are in flight (at most maxPipelinedBatches uncommitted
 * batches); batches that finish while an append is in flight join one open
 * record, appended as one when its turn comes (group commit across batches);
 * messages, acks and status notifications of a batch leave only after the
 * append of the record holding it.
 * Activities start at once. Any store error (a crash, a FencedError, a lost
 * lease) stops the incarnation: memory is dropped and the host starts a new
 * one by recovery.
 *
 * Invariants: commits are contiguous (position = last + 1); a message is
 * applied exactly once (dedup in the same commit as its effects); at most one
 * step per instance per batch.
 */
import { isPermanentStoreError } from "../backends/errors.ts";
import type { ChannelRecord, Channels, ChannelPosition, CommitRecord, Envelope, InstanceStatusRecord, Lease, PartitionStore } from "../backends/types.ts";
import { FencedError } from "../backends/types.ts";
import { DEFAULT_HISTORY_LIMIT } from "../history.ts";
import { DEFAULT_STEP_BUDGET } from "../machine.ts";
import type { App } from "./app.ts";
import { Batch, type StepTrace } from "./batch.ts";
import type { Clock, TimerHandle } from "./clock.ts";
import { buildCommit, CommitChain } from "./commit.ts";
import type { ActivityExecutor } from "./executor.ts";
import { RUN_STEP_PREFIX, SUSPENDED_PREFIX } from "./markers.ts";
import "./extensions.ts";
import type { AnyMessage, LocalEvent } from "./messages.ts";
import type { ObjectTable } from "./objects.ts";
import { OutboxSender } from "./outbox-sender.ts";
import { recover } from "./recovery.ts";
import { messageHandlers } from "./registry.ts";
import { ACTIVITY_PREFIX, type ActivityRecord } from "./state/activities.ts";
import { admit, DEDUP_KEY, emptyDedup, noteClient, type DedupRecord } from "./state/dedup.ts";
import { isHistoryKey } from "./state/history.ts";
import { TIMER_PREFIX, DueHeap, type TimerRecord } from "./state/timers.ts";
import { runStep } from "./step.ts";

export interface PartitionOptions {
  /** Input records per batch: bounds a commit record's size and one batch's latency. */
  maxBatchRecords: number;
  /** Uncommitted batches in flight (in records being appended or still open): bounds memory held for them, the size of one record, and the work redone after a crash. */
  maxPipelinedBatches: number;
  /** Checkpoint after this many commits... */
  checkpointEveryCommits: number;
  /** ...or this long since the last one, whichever first: bounds recovery time (log replay). */
  checkpointIntervalMs: number;
  /** Re-send unconfirmed messages whose receiver made no progress for this long. */
  resendAfterMs: number;
  /** How long one channel read may wait for records. */
  readWaitMs: number;
  /** Instances and entities kept in memory; clean ones beyond are evicted and loaded again on demand. */
  cacheSize: number;
  /** Lease duration; renewed every third of it. */
  leaseMs: number;
  /** Loop iterations and calls one orchestration step or one entity operation may run before it fails with StepBudgetExceeded (StepEnv.stepBudget; engine/budget.ts). */
  stepBudget: number;
  /**
   * Steps of history kept per instance (runtime/history.ts): the oldest go as
   * new ones come, so a long-running loop keeps a bounded journal. 0 records none.
   */
  historyLimit: number;
}

export const DEFAULT_PARTITION_OPTIONS: PartitionOptions = {
  maxBatchRecords: 256,
  maxPipelinedBatches: 8,
  checkpointEveryCommits: 500,
  checkpointIntervalMs: 10_000,
  resendAfterMs: 1000,
  readWaitMs: 200,
  cacheSize: 10_000,
  leaseMs: 15_000,
  stepBudget: DEFAULT_STEP_BUDGET,
  historyLimit: DEFAULT_HISTORY_LIMIT,
};

/** Channel records buffered ahead of the batch loop: beyond this the reader pauses (back-pressure). */
const MAX_BUFFERED_RECORDS = 4096;
/** Local events per batch, like maxBatchRecords for the channel. */
const MAX_LOCAL_EVENTS_PER_BATCH = 1024;

export interface PartitionDeps {
  index: number;
  channels: Channels;
  store: PartitionStore;
  lease: Lease;
  app: App;
  clock: Clock;
  executor: ActivityExecutor;
  options: PartitionOptions;
  log(level: "warn" | "error", message: string): void;
  onStep?(trace: StepTrace): void;
  onCommitted?(statuses: InstanceStatusRecord[]): void;
}

export type StopReason = { kind: "stopped" } | { kind: "crashed"; error: unknown } | { kind: "fenced"; error: unknown };

export class Partition {
  private objects!: ObjectTable;
  private logPosition = 0;
  private durablePosition = 0;
  /** Activities started and not yet back: while one runs, the partition is not idle (see durableOrIdle). */
  private activitiesRunning = 0;
  /** Open records waiting for the partition to be idle (durableOrIdle). */
  private idleWaiters: (() => void)[] = [];
  private checkpointPosition = 0;
  /** On the monotonic clock: an interval, not a stored time. */
  private lastCheckpointAtMs = 0;
  private checkpointInFlight = false;
  private inputPosition: ChannelPosition | undefined;
  private readPosition: ChannelPosition | undefined;
  private readonly inputQueue: ChannelRecord[] = [];
  private readonly localQueue: LocalEvent[] = [];
  private readonly heap = new DueHeap();
  private readonly chain: CommitChain;
  private readonly sender: OutboxSender;
  private notifyWork: (() => void) | undefined;
  /** The commit record later batches may still join (see openCommit). */
  private open: OpenCommit | undefined;
  /** Batches whose records are not yet durable. */
  private uncommittedBatches = 0;
  private commitDone: (() => void) | undefined;
  private timerHandle: TimerHandle | undefined;
  private timerDueMs = Infinity;
  private resendHandle: TimerHandle | undefined;
  private leaseHandle: TimerHandle | undefined;
  private stopped = false;
  /** Set by halt(): the graceful stop in progress (resolves true once halted). */
  private halting: Promise<boolean> | undefined;
  private released = false;
  private lease: Lease;
  private resolveDone!: (reason: StopReason) => void;
  /** Resolves once the incarnation ended, with why. */
  readonly done: Promise<StopReason>;
  readonly stats = { batches: 0, commits: 0, checkpoints: 0, messages: 0, duplicates: 0, steps: 0, commitsReplayed: 0 };

  constructor(private readonly deps: PartitionDeps) {
    const limit = deps.options.historyLimit;
    if (!(Number.isSafeInteger(limit) && limit >= 0)) throw new RangeError(`partitionOptions.historyLimit must be an integer >= 0 (0: no history), got ${limit}`);
    this.lease = deps.lease;
    this.chain = new CommitChain((error) => this.fail(error));
    this.sender = new OutboxSender(deps.index, deps.channels, deps.log);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get index(): number {
    return this.deps.index;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * True when the batch loop is parked with nothing queued and no commit in
   * flight. A caller that must answer only after the work it fed in has
   * committed (the Lambda processor) polls this; it says nothing about timers
   * that fall due later or activities running outside the partition.
   */
  get idle(): boolean {
    return this.inputQueue.length === 0 && this.localQueue.length === 0 && this.chain.depth === 0 && this.notifyWork !== undefined;
  }

  get cachedObjects(): number {
    return this.objects?.cachedCount ?? 0;
  }

  /** Instances whose decoded frame is kept for their next step (decoded-frames.ts). */
  get keptFrames(): number {
    return this.objects?.decodedFrames.size ?? 0;
  }

  get cacheLoads(): number {
    return this.objects?.cacheLoads ?? 0;
  }

  async start(): Promise<void> {
    const r = await recover(this.deps.store, this.deps.index, this.deps.options.cacheSize);
    this.objects = r.objects;
    this.logPosition = this.durablePosition = r.logPosition;
    this.checkpointPosition = r.checkpointPosition;
    this.inputPosition = this.readPosition = r.inputPosition;
    this.stats.commitsReplayed = r.commitsReplayed;
    this.lastCheckpointAtMs = this.deps.clock.monotonic();
    for (const key of this.objects.keysWithPrefix(TIMER_PREFIX)) this.heap.push(this.objects.get<TimerRecord>(key)!.fireAtMs, key);
    for (const key of this.objects.keysWithPrefix(ACTIVITY_PREFIX)) this.runActivity(key, this.objects.get<ActivityRecord>(key)!);
    for (const key of this.objects.keysWithPrefix(RUN_STEP_PREFIX)) this.localQueue.push({ kind: "runStep", instanceId: key.slice(RUN_STEP_PREFIX.length) });
    for (const key of this.objects.keysWithPrefix(SUSPENDED_PREFIX)) this.localQueue.push({ kind: "resumeSuspended", instanceId: key.slice(SUSPENDED_PREFIX.length) });
    this.sender.resend(this.objects, this.durablePosition, true);
    this.scheduleResend();
    this.scheduleLeaseRenewal();
    void this.readLoop();
    void this.batchLoop();
  }

  /**
   * First half of a graceful stop: no new batch, the commits in flight
   * finished and the messages they send written. False if this incarnation
   * had already ended otherwise (crashed or fenced: it writes nothing more).
   * A host halts all its partitions before any of them releases its lease:
   * the release records the end of the partition's channel (the local
   * store's `channelEnd`), and no send of this host may land after it.
   */
  halt(): Promise<boolean> {
    if (!this.halting) {
      if (this.stopped) return Promise.resolve(false);
      this.end({ kind: "stopped" });
      this.halting = (async () => {
        await this.chain.drain();
        await this.sender.idle();
        return true;
      })();
    }
    return this.halting;
  }

  /** Graceful stop: halt, then release the lease. */
  async stop(): Promise<void> {
    if (!(await this.halt()) || this.released) return;
    this.released = true;
    await this.deps.store.releaseLease(this.lease).catch(() => undefined);
  }

  /** Ends this incarnation as if the process died: nothing more is written. */
  crash(reason = "simulated crash"): void {
    this.fail(new Error(reason));
  }

  private fail(error: unknown): void {
    if (this.stopped) return;
    const fenced = error instanceof FencedError || (error as Error)?.name === "FencedError";
    if (!isSimulatedCrash(error)) this.deps.log(fenced ? "warn" : "error", `partition ${this.deps.index} stopped: ${(error as Error)?.message ?? error}`);
    this.end(fenced ? { kind: "fenced", error } : { kind: "crashed", error });
  }

  private end(reason: StopReason): void {
    this.stopped = true;
    this.deps.clock.clearTimeout(this.timerHandle);
    this.deps.clock.clearTimeout(this.resendHandle);
    this.deps.clock.clearTimeout(this.leaseHandle);
    this.notifyWork?.();
    this.commitDone?.();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
    this.resolveDone(reason);
  }

  private wakeUp(): void {
    const n = this.notifyWork;
    this.notifyWork = undefined;
    n?.();
  }

  private async readLoop(): Promise<void> {
    const { channels, index, options, clock } = this.deps;
    while (!this.stopped) {
      if (this.inputQueue.length >= MAX_BUFFERED_RECORDS) {
        await new Promise<void>((r) => clock.setTimeout(r, 5));
        continue;
      }
      let records: ChannelRecord[];
      try {
        records = await channels.read(index, this.readPosition, { maxRecords: options.maxBatchRecords, waitMs: options.readWaitMs });
      } catch (error) {
        if (this.stopped) return;
        if (isPermanentStoreError(error)) return this.fail(error); // a damaged channel stays damaged: the host gives up on it
        this.deps.log("warn", `partition ${index}: channel read failed (${(error as Error).message}); retrying`);
        await new Promise<void>((r) => clock.setTimeout(r, 50));
        continue;
      }
      if (this.stopped) return;
      if (records.length > 0) {
        this.readPosition = records[records.length - 1].position;
        this.inputQueue.push(...records);
        this.wakeUp();
      }
    }
  }

  /** Queues a local event (activity result, step follow-up) for the next batch. */
  private pushLocal(event: LocalEvent): void {
    if (this.stopped) return;
    this.localQueue.push(event);
    this.wakeUp();
  }

  private hasWork(): boolean {
    return this.inputQueue.length > 0 || this.localQueue.length > 0 || (this.heap.peekDueMs() ?? Infinity) <= this.deps.clock.now();
  }

  private async batchLoop(): Promise<void> {
    try {
      while (!this.stopped) {
        if (!this.hasWork()) {
          this.armTimerWake();
          const work = new Promise<void>((resolve) => (this.notifyWork = resolve));
          this.noteIdle();
          await work;
          continue;
        }
        while (this.pipelineFull() && !this.stopped) await this.waitForCommits();
        if (this.stopped) break;
        await this.runBatch();
      }
    } catch (error) {
      this.fail(error);
    }
  }

  /** Uncommitted batches (in open or appending records) and queued store calls are both bounded by maxPipelinedBatches. */
  private pipelineFull(): boolean {
    const max = this.deps.options.maxPipelinedBatches;
    return this.uncommittedBatches >= max || this.chain.depth >= max;
  }

  /** Resolves when an append completes (or the incarnation ends). */
  private waitForCommits(): Promise<void> {
    return new Promise((resolve) => {
      this.commitDone = () => {
        this.commitDone = undefined;
        resolve();
      };
    });
  }

  private armTimerWake(): void {
    const due = this.heap.peekDueMs();
    if (due === undefined || due >= this.timerDueMs) return;
    this.deps.clock.clearTimeout(this.timerHandle);
    this.timerDueMs = due;
    this.timerHandle = this.deps.clock.setTimeout(() => {
      this.timerDueMs = Infinity;
      this.wakeUp();
    }, due - this.deps.clock.now());
  }

  private async runBatch(): Promise<void> {
    const { clock, index } = this.deps;
    const records = this.inputQueue.splice(0, this.deps.options.maxBatchRecords);
    const locals = this.localQueue.splice(0, MAX_LOCAL_EVENTS_PER_BATCH);
    for (const key of this.heap.popDue(clock.now())) locals.push({ kind: "timerFired", key });
    const messages: { from: string; body: AnyMessage }[] = [];
    const dedup = this.objects.get<DedupRecord>(DEDUP_KEY) ?? emptyDedup();
    let dedupChanged = false;
    const ackTo = new Set<string>();
    for (const r of records) {
      const env = r.envelope;
      if (env.to !== index) throw new Error(`partition ${index} read an envelope addressed to partition ${env.to}`);
      if (env.seq === 0) {
        messages.push({ from: env.from, body: env.body as AnyMessage });
        continue;
      }
      const admission = admit(dedup, env);
      if (admission.kind === "apply") {
        dedupChanged = true;
        if (env.from.startsWith("c:")) noteClient(dedup, env.from, clock.now());
        for (const body of admission.bodies) messages.push({ from: env.from, body: body as AnyMessage });
        if (env.from.startsWith("p")) ackTo.add(env.from);
      } else if (admission.kind === "held") {
        dedupChanged = true;
      } else {
        this.stats.duplicates++;
        if (env.from.startsWith("p")) ackTo.add(env.from);
      }
    }
    if (records.length > 0) this.inputPosition = records[records.length - 1].position;
    if (dedupChanged) this.objects.set(DEDUP_KEY, dedup);
    const all: { from: string; body: AnyMessage }[] = [...messages, ...locals.map((l) => ({ from: "local", body: l as unknown as AnyMessage }))];
    const keys: string[] = [];
    for (const m of all) {
      const handler = messageHandlers.get(m.body.kind);
      if (handler) keys.push(...handler.keys(m.body, this.deps.channels.partitionCount));
    }
    await this.objects.load(keys);
    if (this.stopped) return;
    // From here to the end of finishBatch nothing awaits, so the open commit record cannot close meanwhile:
    // the batch's position (stamped on the messages it puts in the outbox) is the record it will be part of.
    const batch = new Batch(
      { partition: index, partitionCount: this.deps.channels.partitionCount, app: this.deps.app, objects: this.objects, log: this.deps.log, onStep: this.deps.onStep, stepBudget: this.deps.options.stepBudget, historyLimit: this.deps.options.historyLimit, whenSettled: (promise, event) => void promise.finally(() => this.pushLocal(event)) },
      clock.now(),
      this.open ? this.open.record.position : this.logPosition + 1,
    );
    for (const m of all) {
      const handler = messageHandlers.get(m.body.kind);
      if (!handler) {
        this.deps.log("error", `partition ${index}: no handler for message kind "${m.body.kind}" from ${m.from}; dropped`);
        continue;
      }
      handler.apply(m.body, batch, m.from);
    }
    batch.stepPhase = true;
    for (const id of batch.toStep) {
      const rec = batch.instance(id);
      if (rec && rec.frame !== null) {
        runStep(batch, rec);
        this.stats.steps++;
      }
    }
    this.stats.batches++;
    this.stats.messages += messages.length;
    this.finishBatch(batch, dedup, ackTo);
  }

  private finishBatch(batch: Batch, dedup: DedupRecord, ackTo: Set<string>): void {
    for (const a of batch.newActivities) this.runActivity(a.key, a.record);
    for (const t of batch.newTimers) this.heap.push(t.timer.fireAtMs, t.key);
    for (const f of batch.followUps) this.localQueue.push(f);
    const acks = new Map<number, number>();
    for (const from of ackTo) acks.set(Number(from.slice(1)), dedup.last[from] ?? 0);
    const record = buildCommit(batch, this.lease, this.inputPosition);
    const open = this.open;
    if (!record) {
      // Nothing new to commit, but the acked positions may belong to batches still in flight: ack after them.
      if (open) mergeAcks(open.acks, acks);
      else if (acks.size > 0) this.enqueue(async () => this.sender.send(this.ackEnvelopes(acks)));
    } else if (open) {
      if (record.position !== open.record.position) throw new Error(`partition ${this.deps.index}: batch at ${record.position} while commit ${open.record.position} is open`);
      mergeInto(open, record, batch.sentTo, acks);
      this.uncommittedBatches++;
      if (open.batches >= this.deps.options.maxPipelinedBatches) this.open = undefined; // full: the next batch starts the next record
    } else {
      if (record.position !== this.logPosition + 1) throw new Error(`partition ${this.deps.index}: commit at ${record.position} does not follow ${this.logPosition}`);
      this.logPosition = record.position;
      this.openCommit(record, batch.sentTo, acks);
    }
    this.maybeCheckpoint();
    this.objects.evict();
  }

  /**
   * Group commit across batches: the record stays open (later batches join
   * it) until its turn to be appended comes, i.e. while earlier appends are
   * in flight; then it closes and is appended as one. So a partition under
   * load makes one append (one fsync, one DynamoDB transaction) per append
   * time, not per batch. Messages, acks and status notifications of every
   * batch in it leave after its append.
   */
  private openCommit(record: CommitRecord, sentTo: Set<number>, acks: Map<number, number>): void {
    const open: OpenCommit = { record, sentTo: new Set(sentTo), acks, batches: 1, keyIndex: undefined, statusIndex: undefined };
    this.open = open;
    this.uncommittedBatches++;
    this.enqueue(async () => {
      // While the input it consumed becomes durable, batches that finish join it; it closes when that input is
      // durable or when no batch is left to run, whichever comes first. Its append then runs beside the input's
      // fsync, and the store acknowledges it only once both are done (recovery drops it if the input was lost).
      const input = open.record.inputPosition;
      const durable = this.inputDurable(input);
      if (durable) await this.durableOrIdle(durable);
      if (this.open === open) this.open = undefined;
      // Closed: every batch of this record has stamped its outbox entries with its position.
      const envelopes = this.sender.envelopesOf(this.objects, open.sentTo, record.position);
      // The same wait when no later input joined (for another process's bytes, each durable() call is an fsync).
      await this.deps.store.appendCommit(this.lease, record, record.inputPosition === input ? durable : this.inputDurable(record.inputPosition));
      this.durablePosition = record.position;
      this.uncommittedBatches -= open.batches;
      this.stats.commits++;
      this.sender.send([...envelopes, ...this.ackEnvelopes(open.acks)]);
      if (record.statusUpdates.length > 0) this.deps.onCommitted?.(record.statusUpdates);
    });
  }

  /**
   * Resolves when `durable` does, or earlier once the partition is idle: the
   * batch loop waits for work and none of its activities is running (one
   * that completes at once would bring the next step); rejects if `durable`
   * rejects first.
   */
  private durableOrIdle(durable: Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.isIdle()) return resolve();
      const waiter = () => resolve();
      this.idleWaiters.push(waiter);
      const forget = () => {
        const i = this.idleWaiters.indexOf(waiter);
        if (i >= 0) this.idleWaiters.splice(i, 1);
      };
      durable.then(
        () => (forget(), resolve()),
        (error) => (forget(), reject(error)),
      );
    });
  }

  private isIdle(): boolean {
    return this.stopped || (this.notifyWork !== undefined && this.activitiesRunning === 0 && !this.hasWork());
  }

  /** Called where the batch loop starts to wait for work. */
  private noteIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /**
   * Undefined if the channel records up to `position` are durable, else a
   * promise that resolves once they are. On `local` a send is readable
   * before its fsync ends (the batch that applied it ran meanwhile): a commit
   * or checkpoint waits for this, so none is durable while an input it
   * consumed could still vanish in a power cut.
   */
  private inputDurable(position: ChannelPosition | undefined): Promise<void> | undefined {
    return position === undefined ? undefined : this.deps.channels.durable?.(this.deps.index, position);
  }

  /** Queues store work behind the commits in flight; the batch loop waiting for room is woken when it is done. */
  private enqueue(work: () => Promise<void>): void {
    void this.chain.enqueue(work).then(() => this.commitDone?.());
  }

  private ackEnvelopes(acks: Map<number, number>): Envelope[] {
    const out: Envelope[] = [];
    for (const [to, upTo] of acks) out.push({ from: `p${this.deps.index}`, to, seq: 0, body: { kind: "ack", upTo } });
    return out;
  }

  private maybeCheckpoint(force = false): void {
    const { options, clock, store, index } = this.deps;
    if (this.checkpointInFlight || this.logPosition === this.checkpointPosition) return;
    const due =
      force ||
      this.logPosition - this.checkpointPosition >= options.checkpointEveryCommits ||
      clock.monotonic() - this.lastCheckpointAtMs >= options.checkpointIntervalMs;
    if (!due) return;
    // The checkpoint covers logPosition: no later batch may join that record any more.
    this.open = undefined;
    this.checkpointInFlight = true;
    const position = this.logPosition;
    const state = { logPosition: position, ...(this.inputPosition !== undefined ? { inputPosition: this.inputPosition } : {}) };
    const { updates, keys } = this.objects.beginCheckpoint();
    this.enqueue(async () => {
      // Usually durable already (the commits it covers waited): only records that were all duplicates add nothing to a commit.
      await this.inputDurable(state.inputPosition);
      await store.writeCheckpoint(this.lease, state, updates);
      this.objects.flushed(keys);
      this.checkpointPosition = position;
      this.lastCheckpointAtMs = clock.monotonic();
      this.checkpointInFlight = false;
      this.stats.checkpoints++;
      await store.trimCommits(index, position);
    });
  }

  /** Forces a checkpoint now (tests, graceful shutdown); resolves when written. */
  async checkpointNow(): Promise<void> {
    this.maybeCheckpoint(true);
    await this.chain.drain();
  }

  private runActivity(key: string, record: ActivityRecord): void {
    const delay = record.notBeforeMs - this.deps.clock.now();
    if (delay > 0) this.deps.clock.setTimeout(() => this.startActivity(key, record), delay);
    else this.startActivity(key, record);
  }

  private startActivity(key: string, record: ActivityRecord): void {
    if (this.stopped) return;
    const { instanceId, taskId, name, input, attempt } = record;
    this.activitiesRunning++;
    this.deps.executor
      .run({ partition: this.deps.index, instanceId, taskId, name, input, attempt })
      .then(
        (result) => {
          this.activitiesRunning--;
          this.pushLocal({ kind: "activityResult", key, attempt, result });
        },
        (error) => {
          this.activitiesRunning--;
          throw error;
        },
      );
  }

  private scheduleResend(): void {
    const { clock, options } = this.deps;
    this.resendHandle = clock.setTimeout(() => {
      if (this.stopped) return;
      this.sender.resend(this.objects, this.durablePosition, false);
      this.scheduleResend();
    }, options.resendAfterMs);
  }

  private scheduleLeaseRenewal(): void {
    const { clock, options, store } = this.deps;
    this.leaseHandle = clock.setTimeout(async () => {
      if (this.stopped) return;
      try {
        const renewed = await store.renewLease(this.lease, options.leaseMs);
        if (!renewed) throw new FencedError(this.deps.index, this.lease.epoch, this.lease.epoch + 1);
        this.lease = renewed;
        this.scheduleLeaseRenewal();
      } catch (error) {
        this.fail(error);
      }
    }, options.leaseMs / 3);
  }
}

export interface OpenCommit {
  record: CommitRecord;
  sentTo: Set<number>;
  /** Per sending partition, the highest seq to acknowledge after this record's append. */
  acks: Map<number, number>;
  batches: number;
  /** Index of each object key in record.updates, and of each instance in record.statusUpdates, built on the first merge. */
  keyIndex: Map<string, number> | undefined;
  statusIndex: Map<string, number> | undefined;
}

/** Items whose key `appendOnly` accepts are left out of the index: replaceOrAppend appends them. */
function indexBy<T>(items: readonly T[], keyOf: (item: T) => string, appendOnly?: (key: string) => boolean): Map<string, number> {
  const index = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const key = keyOf(items[i]!);
    if (!appendOnly?.(key)) index.set(key, i);
  }
  return index;
}

/** Each later item replaces the item of the same key in `items`, or is appended (always, for keys `appendOnly` accepts): `index` is kept in step. */
function replaceOrAppend<T>(items: T[], index: Map<string, number>, later: readonly T[], keyOf: (item: T) => string, appendOnly?: (key: string) => boolean): void {
  for (const item of later) {
    const key = keyOf(item);
    if (appendOnly?.(key)) {
      items.push(item);
      continue;
    }
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, items.length);
      items.push(item);
    } else items[at] = item;
  }
}

/** Adds a later batch's commit to the open record: its updates replace the earlier values of the same keys (redo records, last wins). */
function mergeInto(open: OpenCommit, later: CommitRecord, sentTo: Set<number>, acks: Map<number, number>): void {
  // History updates keep their order instead (a step written, then deleted by the cap): applied in order, the last wins too.
  open.keyIndex ??= indexBy(open.record.updates, (u) => u.key, isHistoryKey);
  replaceOrAppend(open.record.updates, open.keyIndex, later.updates, (u) => u.key, isHistoryKey);
  open.statusIndex ??= indexBy(open.record.statusUpdates, (s) => s.instanceId);
  mergeStatusDeletes(open, later);
  replaceOrAppend(open.record.statusUpdates, open.statusIndex, later.statusUpdates, (s) => s.instanceId);
  if (later.inputPosition !== undefined) open.record.inputPosition = later.inputPosition;
  for (const to of sentTo) open.sentTo.add(to);
  mergeAcks(open.acks, acks);
  open.batches++;
}

/**
 * Keeps "an instance is in at most one of statusUpdates and statusDeletes"
 * across a merge, last batch winning: a later delete drops the earlier row,
 * a later row (the id started again) drops the earlier delete.
 */
function mergeStatusDeletes(open: OpenCommit, later: CommitRecord): void {
  const record = open.record;
  if (!later.statusDeletes && !record.statusDeletes) return;
  const rows = new Set(later.statusUpdates.map((s) => s.instanceId));
  const deletes = (record.statusDeletes ?? []).filter((id) => !rows.has(id));
  for (const id of later.statusDeletes ?? []) {
    const at = open.statusIndex!.get(id);
    if (at !== undefined) {
      record.statusUpdates.splice(at, 1);
      open.statusIndex = indexBy(record.statusUpdates, (s) => s.instanceId);
    }
    if (!deletes.includes(id)) deletes.push(id);
  }
  if (deletes.length > 0) record.statusDeletes = deletes;
  else delete record.statusDeletes;
}

/** Acks are monotonic per sender: keep the highest. */
function mergeAcks(into: Map<number, number>, acks: Map<number, number>): void {
  for (const [to, upTo] of acks) if ((into.get(to) ?? -1) < upTo) into.set(to, upTo);
}

function isSimulatedCrash(error: unknown): boolean {
  return (error as Error)?.name === "SimulatedCrash";
}
