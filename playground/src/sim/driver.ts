/**
 * The playground's in-browser runtime for one instance: drives a compiled
 * `Machine` (init, step, wakes) on a virtual clock, with simulated activities
 * (latency, seeded failures, retry policies), timers, external events and
 * entities. It plays the role of a partition for a single instance, with no
 * channels: everything is deterministic, so the same actions give the same run.
 *
 * `snapshot()` is what a partition persists after a step (the frame and the
 * instance's pending work, codec-encoded); `Driver.restore` starts from it in a
 * fresh driver, which is the playground's "crash and resume".
 *
 * Invariant: `step` is the only way the frame changes, and every wake is
 * delivered exactly once, in order of (due time, issue order).
 */
import { deserialize, errorInfo, serialize } from "../../../runtime/codec.ts";
import type { Command, ErrorInfo, Frame, Machine, Outcome, RetryPolicy, Wake } from "../../../runtime/machine.ts";
import { assertSettings, attemptFails, retryDelayMs, type SimSettings } from "./activity-sim.ts";
import { positionOf } from "../graph/position.ts";
import { applyOperation, endTransaction, sortLockSet, type EntityDef, type EntityTables } from "./entities-sim.ts";

export type ActivityFn = (input: unknown, actx: { instanceId: string; attempt: number }) => unknown;

export interface SimApp {
  activities: ReadonlyMap<string, ActivityFn>;
  entities: ReadonlyMap<string, EntityDef>;
}

/** Work the instance waits for. `dueMs` undefined: only an action (raise) completes it. */
export type Pending =
  | { kind: "activity"; taskId: number; name: string; input: unknown; retry?: RetryPolicy; attempt: number; dueMs: number; seq: number }
  | { kind: "timer"; taskId: number; dueMs: number; seq: number }
  | { kind: "event"; taskId: number; name: string; seq: number }
  | { kind: "ready"; taskId: number; what: string; result: Wake["result"]; dueMs: number; seq: number };

export interface TimelineEntry {
  step: number;
  atMs: number;
  /** What woke this step ("activity greet #3 -> ok", "timer #5 fired", ...). */
  woke: string[];
  /** Commands the step issued. */
  issued: string[];
  position: string[];
  outcome: Outcome["kind"];
}

export interface DriverState {
  instanceId: string;
  machine: string;
  version: string;
  settings: SimSettings;
  nowMs: number;
  startMs: number;
  seq: number;
  steps: number;
  frame: Frame;
  outcome: Outcome;
  customStatus?: unknown;
  pending: Pending[];
  entities: EntityTables;
  timeline: TimelineEntry[];
}

/** Bound on steps per `run()`: a machine that keeps issuing zero-latency work without ending is reported, not spun on forever. */
export const MAX_STEPS_PER_RUN = 10_000;
/** Virtual start time of every run: a fixed date, so `ctx.now()` is reproducible. */
export const DEFAULT_START_MS = Date.UTC(2026, 0, 1, 9, 0, 0);

/** One line per command; times relative to `startMs` (the run's virtual start). */
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
    case "subOrchestration": return `start sub-orchestration ${c.name} #${c.taskId}`;
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

export class Driver {
  private constructor(readonly machine: Machine, private readonly app: SimApp, private s: DriverState) {}

  /** init + the first step (the body runs to its first await). */
  static start(machine: Machine, app: SimApp, input: unknown, settings: SimSettings, options: { instanceId?: string; startMs?: number } = {}): Driver {
    assertSettings(settings);
    const instanceId = options.instanceId ?? "playground-1";
    const startMs = options.startMs ?? DEFAULT_START_MS;
    const frame = machine.init(input, { instanceId, nowMs: startMs });
    const d = new Driver(machine, app, {
      instanceId, machine: machine.name, version: machine.version, settings, nowMs: startMs, startMs, seq: 0, steps: 0,
      frame, outcome: { kind: "running" }, pending: [], entities: { states: {}, staged: {} }, timeline: [],
    });
    d.step([], ["start"]);
    return d;
  }

  /** A fresh driver from `snapshot()` text: nothing of the old driver survives but that text. */
  static restore(machine: Machine, app: SimApp, snapshotText: string): Driver {
    const s = deserialize(snapshotText) as DriverState;
    if (typeof s !== "object" || s === null || !("frame" in s) || !Array.isArray(s.pending)) {
      throw new Error("not a playground snapshot (expected the text of Driver.snapshot())");
    }
    if (s.machine !== machine.name || s.version !== machine.version) {
      throw new Error(`the snapshot is of ${s.machine}@${s.version}, not ${machine.name}@${machine.version}: the code changed since it was taken`);
    }
    return new Driver(machine, app, s);
  }

  snapshot(): string {
    return serialize(this.s);
  }

  get state(): Readonly<DriverState> { return this.s; }
  get nowMs(): number { return this.s.nowMs; }
  get outcome(): Outcome { return this.s.outcome; }
  get frame(): Frame { return this.s.frame; }
  get ended(): boolean { return this.s.outcome.kind !== "running"; }
  get timeline(): readonly TimelineEntry[] { return this.s.timeline; }

  position(): string[] {
    return positionOf(this.machine, this.s.frame, this.ended);
  }

  /** Names of the events the instance waits for now. */
  waitingEvents(): string[] {
    return this.s.pending.filter((p): p is Extract<Pending, { kind: "event" }> => p.kind === "event").map((p) => p.name);
  }

  nextTimerMs(): number | undefined {
    const timers = this.s.pending.filter((p) => p.kind === "timer").map((p) => (p as { dueMs: number }).dueMs);
    return timers.length ? Math.min(...timers) : undefined;
  }

  /**
   * Runs until the instance ends or waits only for timers and events: the
   * clock jumps to each next activity completion (timers due by then fire too).
   */
  async run(): Promise<void> {
    for (let i = 0; i < MAX_STEPS_PER_RUN; i++) {
      await this.deliverDue();
      if (this.ended) return;
      const next = this.nextDue((p) => p.kind === "activity" || p.kind === "ready");
      if (next === undefined) return;
      this.s.nowMs = Math.max(this.s.nowMs, next);
    }
    throw new Error(`the run took more than ${MAX_STEPS_PER_RUN} steps without waiting for a timer or an event; is there an endless loop?`);
  }

  /** Moves the virtual clock forward by `ms`, delivering everything that falls due in time order. */
  async advance(ms: number): Promise<void> {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`advance: ms must be a number >= 0, got ${ms}`);
    const target = this.s.nowMs + ms;
    for (let i = 0; i < MAX_STEPS_PER_RUN; i++) {
      await this.deliverDue();
      if (this.ended) break;
      const next = this.nextDue(() => true);
      if (next === undefined || next > target) break;
      this.s.nowMs = next;
    }
    if (!this.ended) this.s.nowMs = target;
    await this.run();
  }

  /** Raises an external event: completes the oldest wait for `name`. Returns false if nothing waits for it. */
  async raise(name: string, data: unknown): Promise<boolean> {
    const i = this.s.pending.findIndex((p) => p.kind === "event" && p.name === name);
    if (i < 0 || this.ended) return false;
    const p = this.s.pending[i]!;
    this.s.pending.splice(i, 1);
    this.s.pending.push({ kind: "ready", taskId: p.taskId, what: `event "${name}" raised`, result: { ok: true, value: data }, dueMs: this.s.nowMs, seq: this.s.seq++ });
    await this.run();
    return true;
  }

  private nextDue(filter: (p: Pending) => boolean): number | undefined {
    let min: number | undefined;
    for (const p of this.s.pending) if (p.kind !== "event" && filter(p) && (min === undefined || p.dueMs < min)) min = p.dueMs;
    return min;
  }

  /** Delivers every wake due now in one step per round, until nothing more is due at this time. */
  private async deliverDue(): Promise<void> {
    for (let round = 0; round < MAX_STEPS_PER_RUN && !this.ended; round++) {
      const due = this.s.pending
        .filter((p): p is Exclude<Pending, { kind: "event" }> => p.kind !== "event" && p.dueMs <= this.s.nowMs)
        .sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq);
      if (due.length === 0) return;
      this.s.pending = this.s.pending.filter((p) => !due.includes(p as never));
      const wakes: Wake[] = [];
      const woke: string[] = [];
      for (const p of due) {
        if (p.kind === "timer") {
          wakes.push({ taskId: p.taskId, result: { ok: true, value: undefined } });
          woke.push(`timer #${p.taskId} fired`);
        } else if (p.kind === "ready") {
          wakes.push({ taskId: p.taskId, result: p.result });
          woke.push(`${p.what} #${p.taskId}`);
        } else {
          const result = await this.attempt(p);
          if (result) {
            wakes.push({ taskId: p.taskId, result });
            woke.push(`activity ${p.name} #${p.taskId} ${result.ok ? `-> ${short(result.value)}` : `failed: ${result.error.message}`}${p.attempt > 1 ? ` (attempt ${p.attempt})` : ""}`);
          }
        }
      }
      if (wakes.length) this.step(wakes, woke);
    }
  }

  /** One attempt of an activity; undefined when it failed and will be retried (rescheduled). */
  private async attempt(p: Extract<Pending, { kind: "activity" }>): Promise<Wake["result"] | undefined> {
    let result: Wake["result"];
    if (attemptFails(this.s.settings, p.taskId, p.attempt)) {
      result = { ok: false, error: { name: "SimulatedFailure", message: `simulated failure of activity ${p.name} (attempt ${p.attempt})` } };
    } else {
      const fn = this.app.activities.get(p.name);
      try {
        const value = fn ? await fn(p.input, { instanceId: this.s.instanceId, attempt: p.attempt }) : { activity: p.name, input: p.input };
        result = { ok: true, value };
      } catch (e) {
        result = { ok: false, error: plainError(e) };
      }
    }
    if (!result.ok) {
      const delay = retryDelayMs(p.retry, p.attempt);
      if (delay !== undefined) {
        this.s.pending.push({ ...p, attempt: p.attempt + 1, dueMs: this.s.nowMs + delay + this.s.settings.latencyMs, seq: this.s.seq++ });
        return undefined;
      }
    }
    return result;
  }

  private step(wakes: Wake[], woke: string[]): void {
    // As a partition does: step a freshly decoded copy of the persisted frame (steps may mutate the frame they get).
    const r = this.machine.step(deserialize(serialize(this.s.frame)), wakes, { instanceId: this.s.instanceId, nowMs: this.s.nowMs });
    this.s.frame = r.frame;
    this.s.steps++;
    this.s.outcome = r.outcome;
    for (const c of r.commands) this.apply(c);
    if (this.ended) this.s.pending = [];
    this.s.timeline.push({
      step: this.s.steps, atMs: this.s.nowMs - this.s.startMs, woke, issued: r.commands.map((c) => describeCommand(c, this.s.startMs)),
      position: this.position(), outcome: r.outcome.kind,
    });
  }

  private ready(taskId: number, what: string, run: () => unknown): void {
    let result: Wake["result"];
    try {
      result = { ok: true, value: run() };
    } catch (e) {
      result = { ok: false, error: plainError(e) };
    }
    this.s.pending.push({ kind: "ready", taskId, what, result, dueMs: this.s.nowMs, seq: this.s.seq++ });
  }

  private apply(c: Command): void {
    const s = this.s;
    switch (c.kind) {
      case "activity":
        s.pending.push({ kind: "activity", taskId: c.taskId, name: c.name, input: c.input, ...(c.retry ? { retry: c.retry } : {}), attempt: 1, dueMs: s.nowMs + s.settings.latencyMs, seq: s.seq++ });
        return;
      case "timer":
        s.pending.push({ kind: "timer", taskId: c.taskId, dueMs: Math.max(c.fireAtMs, s.nowMs), seq: s.seq++ });
        return;
      case "waitEvent":
        s.pending.push({ kind: "event", taskId: c.taskId, name: c.name, seq: s.seq++ });
        return;
      case "callEntity":
        this.ready(c.taskId, `${c.entity.name}("${c.entity.key}").${c.op} replied`, () => this.operate(c.entity, c.op, c.input, c.transactionId));
        return;
      case "signalEntity":
        this.operate(c.entity, c.op, c.input);
        return;
      case "lock":
        this.ready(c.taskId, "lock granted", () => sortLockSet(c.entities));
        return;
      case "unlock":
        return;
      case "endTransaction":
        endTransaction(s.entities, c.lockTaskId, c.commit);
        return;
      case "subOrchestration":
        this.ready(c.taskId, `sub-orchestration ${c.name}`, () => {
          throw new Error(`sub-orchestration ${c.name}: the playground runs one instance; run sub-orchestrations with nwc dev or nwc run`);
        });
        return;
      case "setStatus":
        s.customStatus = c.value;
        return;
    }
  }

  /** An entity operation, then the signals it sent, one at a time. */
  private operate(entity: { name: string; key: string }, op: string, input: unknown, transactionId?: number): unknown {
    const { result, signals } = applyOperation(this.s.entities, this.app.entities, entity, op, input, transactionId);
    for (const sig of signals) this.operate(sig.entity, sig.op, sig.input);
    return result;
  }
}

function plainError(e: unknown): ErrorInfo {
  const { name, message } = errorInfo(e);
  return { name, message };
}
