/**
 * The playground's runtime: the real one. A host (runtime/host.ts) runs the
 * partition core (runtime/partitions/) on the `memory` backend with the
 * simulation clock (SimClock), in the page, exactly as `nwc dev --backend
 * memory` does on a server: instances hash to partitions, batches are
 * group-committed to the memory store, entities, locks, transactions and
 * sub-orchestrations travel as messages between partitions.
 *
 * What the page adds around it, without changing it:
 * - Activities are wrapped (activity-sim.ts): each attempt takes `latencyMs`
 *   of virtual time and fails with probability `failureRate` (a seeded coin);
 *   retries and backoff are the core's own.
 * - Machines are wrapped to observe each step (wakes in, commands out): the
 *   timeline, and the tasks each instance waits for. The wrapper returns the
 *   machine's result untouched.
 * - `run()` lets virtual time pass until the run is settled: every live
 *   partition idle, no activity attempt running, and every unfinished instance
 *   waiting only for timers and events. `advance(ms)` moves the clock (firing
 *   due timers, in time order), then settles.
 * - `crash()` drops the host (every partition crashes: no graceful stop, no
 *   lease released) and the loaded program, then starts a new host with a
 *   freshly loaded program on the same backend: each partition recovers from
 *   its store (checkpoint + commit records after it), and the instance goes on
 *   from the frame persisted by its last commit.
 *
 * Invariant: everything the page shows about an instance (status, frame,
 * entity states) is read from the store as committed, never from the wrapper's
 * observations; the observations only describe steps and decide when a run is
 * settled.
 */
import type { Activity, Entity, Orchestration } from "../../../runtime/api.ts";
import { createMemoryBackend, SimClock, type MemoryBackend } from "../../../runtime/backends/memory/index.ts";
import { decode } from "../../../runtime/codec.ts";
import { startHost, type Host } from "../../../runtime/host.ts";
import { readCommittedObject } from "../../../runtime/inspect.ts";
import type { Command, EntityId, Machine, Outcome, StepResult, TaskId, Wake } from "../../../runtime/machine.ts";
import { partitionOfEntity, partitionOfInstance } from "../../../runtime/partitions/hash.ts";
import { entityObjectKey, type EntityRecord } from "../../../runtime/partitions/state/entity.ts";
import { encodedFrameOf, instanceKey, type InstanceRecord } from "../../../runtime/partitions/state/instance.ts";
import { positionOf } from "../graph/position.ts";
import { assertSettings, simulatedActivity, type ActivityTracker, type SimSettings } from "./activity-sim.ts";

/** What a loaded program defines: the definitions a host's `app` takes. */
export interface PlaygroundApp {
  orchestrations: Orchestration[];
  activities: Activity[];
  entities: Entity[];
}

export interface TimelineEntry {
  step: number;
  instanceId: string;
  atMs: number;
  /** What woke this step ("activity greet #3 -> ok", "timer #5 fired", ...). */
  woke: string[];
  /** Commands the step issued. */
  issued: string[];
  position: string[];
  outcome: Outcome["kind"];
}

/** A task an instance waits for, as its command said. */
interface Outstanding {
  kind: Command["kind"];
  what: string;
  /** Timers: when they fire. */
  fireAtMs?: number;
  /** Events: the name. */
  event?: string;
}

export interface CommittedView {
  status: InstanceRecord["status"] | undefined;
  output: unknown;
  error: { name: string; message: string } | undefined;
  customStatus: unknown;
  /** The frame as the partition persisted it (codec-encoded JSON), null once finished. */
  frame: unknown;
  /** Bytes of the persisted instance object (frame, inbox, waits, status fields). */
  recordBytes: number;
  /** The machine version the instance runs (it keeps the one it started on unless upgraded). */
  version: string | undefined;
  /** Entity "name/key" -> state, for every entity the run touched. */
  entities: Record<string, unknown>;
}

export interface CrashReport {
  /** Commit records each partition replayed after its checkpoint. */
  commitsReplayed: number[];
  recordBytes: number;
}

/** Partitions of the page's host: the default of startHost, so entities and children land on other partitions than their callers. */
export const PLAYGROUND_PARTITIONS = 4;
/** Virtual start time of every run: a fixed date, so `ctx.now()` is reproducible. */
export const DEFAULT_START_MS = Date.UTC(2026, 0, 1, 9, 0, 0);
export const ROOT_INSTANCE_ID = "playground-1";
/** The host id is fixed: a new host after a crash takes the crashed one's leases back at once (same owner), as a restarted process does. */
const HOST_ID = "playground-host";
/**
 * Virtual time one `run()` may take before it stops and says so: activities
 * with long latencies and retry backoffs fit; a machine that keeps working
 * without ever waiting (an endless loop of activities) is reported.
 */
export const MAX_VIRTUAL_MS_PER_RUN = 24 * 60 * 60 * 1000;
/** Steps one `run()` or `advance()` may take: a busy loop is reported, not spun on. */
export const MAX_STEPS_PER_RUN = 10_000;
/**
 * Partition tuning for the page. The memory channels wake a waiting reader at
 * once, so long read waits and lease periods cost nothing but keep the
 * virtual clock from ticking through thousands of housekeeping timers when
 * the user advances it by a day. Checkpoints every 4 commits, so a crash
 * shows recovery as checkpoint + replayed commits.
 */
export const PLAYGROUND_PARTITION_OPTIONS = {
  readWaitMs: 10 * 60_000,
  resendAfterMs: 10 * 60_000,
  leaseMs: 6 * 60 * 60_000,
  checkpointEveryCommits: 4,
};

/** One line per command; times relative to `startMs`. */
export function describeCommand(c: Command, startMs = 0): string {
  switch (c.kind) {
    case "activity": return `call activity ${c.name}(${short(c.input)}) #${c.taskId}`;
    case "timer": return `timer #${c.taskId} at +${c.fireAtMs - startMs} ms`;
    case "waitEvent": return `wait for event "${c.name}" #${c.taskId}`;
    case "callEntity": return `${c.entity.name}("${c.entity.key}").${c.op}(${short(c.input)}) #${c.taskId}`;
    case "signalEntity": return `signal ${c.entity.name}("${c.entity.key}").${c.op}(${short(c.input)})`;
    case "lock": return `lock ${c.entities.map((e) => `${e.name}/${e.key}`).join(", ")} #${c.taskId}`;
    case "unlock": return `unlock #${c.lockTaskId}`;
    case "endTransaction": return `${c.commit ? "commit" : "abort"} transaction #${c.lockTaskId}`;
    case "subOrchestration": return `start sub-orchestration ${c.name} as "${c.instanceId}" #${c.taskId}`;
    case "setStatus": return `set status ${short(c.value)}`;
  }
}

export function short(v: unknown): string {
  let text: string;
  try {
    text = v === undefined ? "" : JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describeWake(w: Wake, o: Outstanding | undefined): string {
  const r = w.result;
  const tail = r.ok ? (r.value === undefined ? "" : ` -> ${short(r.value)}`) : ` failed: ${r.error.name}: ${r.error.message}`;
  if (!o) return `task #${w.taskId}${tail}`;
  switch (o.kind) {
    case "timer": return `timer #${w.taskId} fired`;
    case "waitEvent": return `event "${o.event}" raised #${w.taskId}${tail}`;
    case "lock": return `lock granted #${w.taskId}${tail}`;
    default: return `${o.what} #${w.taskId}${tail}`;
  }
}

function whatOf(c: Command): string {
  switch (c.kind) {
    case "activity": return `activity ${c.name}`;
    case "callEntity": return `${c.entity.name}("${c.entity.key}").${c.op}`;
    case "subOrchestration": return `sub-orchestration ${c.name}`;
    default: return c.kind;
  }
}

const entityLabel = (e: EntityId) => `${e.name}/${e.key}`;

export class PlaygroundRuntime {
  readonly clock: SimClock;
  readonly backend: MemoryBackend;
  readonly startMs: number;
  readonly timeline: TimelineEntry[] = [];
  /** Steps of the root instance. */
  rootSteps = 0;
  crashes = 0;
  /** What the recovery of the last crash did. */
  lastCrash: CrashReport | undefined;
  private host!: Host;
  private machines = new Map<string, Machine>();
  /** Every loaded machine by version: after a deploy the host runs two versions of an orchestration. */
  private byVersion = new Map<string, Machine>();
  private readonly tracker: ActivityTracker = { running: 0 };
  /** instanceId -> taskId -> what it waits for (observed from steps). */
  private readonly outstanding = new Map<string, Map<TaskId, Outstanding>>();
  /** Instances whose last observed step ended them. */
  private readonly finished = new Set<string>();
  private readonly touchedEntities = new Map<string, EntityId>();
  private stepsThisAction = 0;
  private crashing = false;
  private view: CommittedView = { status: undefined, output: undefined, error: undefined, customStatus: undefined, frame: null, recordBytes: 0, version: undefined, entities: {} };

  private constructor(
    readonly orchestration: string,
    readonly settings: SimSettings,
    readonly instanceId: string,
    startMs: number,
  ) {
    this.startMs = startMs;
    this.clock = new SimClock(startMs);
    this.backend = createMemoryBackend({ partitions: PLAYGROUND_PARTITIONS, clock: this.clock });
  }

  /** Starts a host for `app` and the instance (its first step runs), then runs until settled. */
  static async start(app: PlaygroundApp, orchestration: string, input: unknown, settings: SimSettings, options: { instanceId?: string; startMs?: number } = {}): Promise<PlaygroundRuntime> {
    assertSettings(settings);
    if (!app.orchestrations.some((o) => o.name === orchestration)) {
      throw new Error(`the program defines no orchestration "${orchestration}" (it has ${app.orchestrations.map((o) => o.name).join(", ") || "none"})`);
    }
    const rt = new PlaygroundRuntime(orchestration, settings, options.instanceId ?? ROOT_INSTANCE_ID, options.startMs ?? DEFAULT_START_MS);
    await rt.startHost(app);
    await rt.drive(async () => {
      await rt.host.client.start(orchestration, input, { instanceId: rt.instanceId });
    });
    if (!rt.outstanding.has(rt.instanceId)) {
      // No step observed: the machine's init threw and the start failed the instance at once.
      rt.outstanding.set(rt.instanceId, new Map());
      rt.finished.add(rt.instanceId);
    }
    await rt.run();
    return rt;
  }

  get nowMs(): number {
    return this.clock.now();
  }

  get committed(): Readonly<CommittedView> {
    return this.view;
  }

  /** The machine of the version the root instance runs (the latest loaded before it started). */
  get machine(): Machine {
    return (this.view.version !== undefined ? this.byVersion.get(this.view.version) : undefined) ?? this.machines.get(this.orchestration)!;
  }

  /** The root instance's outcome as committed. */
  get outcome(): Outcome {
    const v = this.view;
    if (v.status === "Completed") return { kind: "completed", output: v.output };
    if (v.status === "Failed" || v.status === "Terminated") return { kind: "failed", error: v.error ?? { name: "Error", message: v.status } };
    return { kind: "running" };
  }

  get ended(): boolean {
    return this.outcome.kind !== "running";
  }

  position(): string[] {
    return positionOf(this.machine, this.view.frame === null ? null : decode(this.view.frame as never), this.ended);
  }

  /** Names of the events the root instance waits for now. */
  waitingEvents(): string[] {
    return [...(this.outstanding.get(this.instanceId)?.values() ?? [])].filter((o) => o.kind === "waitEvent").map((o) => o.event!);
  }

  /** The earliest durable timer of any unfinished instance. */
  nextTimerMs(): number | undefined {
    let next: number | undefined;
    for (const [id, tasks] of this.outstanding) {
      if (this.finished.has(id)) continue;
      for (const o of tasks.values()) if (o.kind === "timer" && (next === undefined || o.fireAtMs! < next)) next = o.fireAtMs;
    }
    return next;
  }

  /** Lets virtual time pass until the run is settled (see the file comment). */
  async run(): Promise<void> {
    this.stepsThisAction = 0;
    const settled = await this.clock.run(() => this.settled() || this.stepsThisAction > MAX_STEPS_PER_RUN, MAX_VIRTUAL_MS_PER_RUN);
    await this.refresh();
    if (this.stepsThisAction > MAX_STEPS_PER_RUN) throw new Error(`the run took more than ${MAX_STEPS_PER_RUN} steps without waiting for a timer or an event; is there an endless loop?`);
    if (!settled) throw new Error(`the run was still busy after ${MAX_VIRTUAL_MS_PER_RUN / 3_600_000} h of virtual time (activities or retries that never end?)`);
  }

  /** Moves the virtual clock forward by `ms`; what falls due fires in time order; then settles. */
  async advance(ms: number): Promise<void> {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`advance: ms must be a number >= 0, got ${ms}`);
    await this.clock.advance(ms);
    await this.run();
  }

  /** Raises an event on the root instance (buffered by the core if it does not wait for it yet). Returns whether it waited for it. */
  async raise(name: string, data: unknown): Promise<boolean> {
    const waited = this.waitingEvents().includes(name);
    await this.drive(() => this.host.client.raise(this.instanceId, name, data));
    await this.run();
    return waited;
  }

  /**
   * Crash and resume: every partition of the host crashes (nothing more is
   * written, no lease released), the host and the loaded program are dropped,
   * a new host starts with `reloaded` (a fresh evaluation of the program) on the
   * same memory backend, and each partition recovers from the store. Then the
   * run continues until settled.
   */
  async crash(reloaded: PlaygroundApp): Promise<CrashReport> {
    const old = this.host;
    this.crashing = true;
    try {
      for (let i = 0; i < PLAYGROUND_PARTITIONS; i++) old.crashPartition(i);
      await this.drive(() => old.stop());
    } finally {
      this.crashing = false;
    }
    this.host = undefined as never;
    this.machines = new Map();
    await this.startHost(reloaded);
    this.crashes++;
    this.lastCrash = { commitsReplayed: this.host.partitions.map((p) => p?.stats.commitsReplayed ?? 0), recordBytes: this.view.recordBytes };
    await this.run();
    return this.lastCrash;
  }

  /**
   * Deploys edited code while the instance waits: the host stops (cleanly) and
   * a new one starts with the edited program and, beside it, the orchestrations
   * of the program the instance started on (as a host keeps an old build next
   * to the new one). "pin": the instance goes on with the code it started with;
   * "upgrade": the host is asked to move it to the edited version
   * (`client.upgrade`), which it does when the compiler can prove the move, else
   * it stays pinned; the report line says which, and why. Then settles.
   */
  async deploy(edited: PlaygroundApp, previous: PlaygroundApp, mode: "pin" | "upgrade"): Promise<string> {
    const old = this.host;
    await this.drive(() => old.stop());
    this.host = undefined as never;
    this.machines = new Map();
    this.byVersion = new Map();
    await this.startHost({ orchestrations: [...previous.orchestrations, ...edited.orchestrations], activities: edited.activities, entities: edited.entities });
    const from = this.view.version;
    let report = `pinned: the instance stays on version ${from}, the code it started with; new starts use version ${this.machines.get(this.orchestration)?.version}`;
    if (mode === "upgrade") {
      let lines: Awaited<ReturnType<Host["client"]["upgrade"]>> = [];
      await this.drive(async () => {
        lines = await this.host.client.upgrade(this.instanceId, { to: "latest" });
      });
      const line = lines[0];
      report = !line ? "upgrade: no report (the instance was not found)"
        : line.result === "upgraded" ? `upgraded from version ${line.from} to ${line.to}: the edited code takes over at the await it waits at`
        : `kept on version ${line.from}: ${line.reason}`;
    }
    await this.run();
    return report;
  }

  /** Stops the host and closes the backend; the runtime cannot be used afterwards. */
  async dispose(): Promise<void> {
    const host = this.host;
    if (host) await this.drive(() => host.stop());
    await this.backend.close();
  }

  /** Runs `fn` while the virtual clock turns (its awaits may wait on clock timers). */
  private async drive(fn: () => Promise<unknown>): Promise<void> {
    let done = false;
    let failure: unknown;
    const p = fn().then(() => (done = true), (e) => { failure = e; done = true; });
    await this.clock.run(() => done, MAX_VIRTUAL_MS_PER_RUN);
    await p;
    if (failure) throw failure;
    if (!done) throw new Error("the runtime did not answer within a day of virtual time");
  }

  private async startHost(app: PlaygroundApp): Promise<void> {
    const orchestrations = app.orchestrations.map((o) => {
      if (!o.machine) return o;
      const machine = this.observe(o.machine);
      this.machines.set(o.name, machine);
      this.byVersion.set(machine.version, machine);
      return { ...o, machine };
    });
    const activities = app.activities.map((a) => simulatedActivity(a, this.settings, this.clock, this.tracker));
    let host: Host | undefined;
    await this.drive(async () => {
      host = await startHost({
        app: [orchestrations, activities, app.entities],
        backend: this.backend,
        partitions: PLAYGROUND_PARTITIONS,
        clock: this.clock,
        hostId: HOST_ID,
        partitionOptions: PLAYGROUND_PARTITION_OPTIONS,
        log: (level, message) => {
          // The crashes the page causes are expected; anything else is worth the console.
          if (this.crashing && /stopped: simulated crash/.test(message)) return;
          (level === "error" ? console.error : console.warn)(`nwc playground: ${message}`);
        },
      });
    });
    this.host = host!;
  }

  /** The machine, with each step observed (the result is returned as the machine made it). */
  private observe(machine: Machine): Machine {
    const self = this;
    return {
      name: machine.name,
      version: machine.version,
      graph: machine.graph,
      init: (input, env) => machine.init(input, env),
      step(frame, wakes, env): StepResult {
        const r = machine.step(frame, wakes, env);
        self.observed(env.instanceId, machine, wakes, r);
        return r;
      },
      ...(machine.position ? { position: (frame) => machine.position!(frame) } : {}),
      // An upgrade plans with the manifest (runtime/upgrade/).
      ...(machine.upgrade ? { upgrade: machine.upgrade } : {}),
    } as Machine;
  }

  private observed(instanceId: string, machine: Machine, wakes: readonly Wake[], r: StepResult): void {
    const tasks = this.outstanding.get(instanceId) ?? new Map<TaskId, Outstanding>();
    this.outstanding.set(instanceId, tasks);
    this.finished.delete(instanceId);
    const woke = wakes.map((w) => describeWake(w, tasks.get(w.taskId)));
    for (const w of wakes) tasks.delete(w.taskId);
    for (const c of r.commands) {
      if (c.kind === "callEntity") this.touchedEntities.set(entityLabel(c.entity), c.entity);
      if (c.kind === "signalEntity") this.touchedEntities.set(entityLabel(c.entity), c.entity);
      if (c.kind === "lock") for (const e of c.entities) this.touchedEntities.set(entityLabel(e), e);
      if ("taskId" in c) tasks.set(c.taskId, { kind: c.kind, what: whatOf(c), ...(c.kind === "timer" ? { fireAtMs: c.fireAtMs } : {}), ...(c.kind === "waitEvent" ? { event: c.name } : {}) });
    }
    if (r.outcome.kind !== "running") {
      tasks.clear();
      if (r.outcome.kind !== "continuedAsNew") this.finished.add(instanceId);
    }
    this.stepsThisAction++;
    if (instanceId === this.instanceId) this.rootSteps++;
    const ended = r.outcome.kind === "completed" || r.outcome.kind === "failed";
    let position: string[] = [];
    try {
      position = positionOf(machine, r.frame, ended);
    } catch {
      position = [];
    }
    this.timeline.push({
      step: this.timeline.length + 1,
      instanceId,
      atMs: this.clock.now() - this.startMs,
      woke: woke.length ? woke : ["start"],
      issued: r.commands.map((c) => describeCommand(c, this.startMs)),
      position,
      outcome: r.outcome.kind,
    });
  }

  /** Settled: nothing runs and every unfinished instance waits only for timers and events. */
  private settled(): boolean {
    if (this.tracker.running > 0) return false;
    if (!this.host.partitions.every((p) => p !== undefined && p.idle)) return false;
    if (!this.outstanding.has(this.instanceId)) return false;
    for (const [id, tasks] of this.outstanding) {
      if (this.finished.has(id)) continue;
      for (const o of tasks.values()) if (o.kind !== "timer" && o.kind !== "waitEvent") return false;
    }
    return true;
  }

  /** Reads the root instance and the touched entities from the store, as committed. */
  async refresh(): Promise<void> {
    const store = this.backend.store;
    const rec = (await readCommittedObject(store, partitionOfInstance(this.instanceId, PLAYGROUND_PARTITIONS), instanceKey(this.instanceId))) as InstanceRecord | undefined;
    const entities: Record<string, unknown> = {};
    for (const [label, id] of [...this.touchedEntities].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const e = (await readCommittedObject(store, partitionOfEntity(id, PLAYGROUND_PARTITIONS), entityObjectKey(id))) as EntityRecord | undefined;
      entities[label] = e && e.exists ? decode(e.state as never) : undefined;
    }
    this.view = {
      status: rec?.status,
      output: rec && rec.status === "Completed" ? decode(rec.output as never) : undefined,
      error: rec?.error ? { name: rec.error.name, message: rec.error.message } : undefined,
      customStatus: rec && rec.customStatus !== null ? decode(rec.customStatus as never) : undefined,
      frame: rec ? encodedFrameOf(rec) : null,
      recordBytes: rec ? JSON.stringify(rec).length : 0,
      version: rec?.version,
      entities,
    };
  }
}
