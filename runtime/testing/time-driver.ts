/**
 * Decides when the test host's virtual time moves. Time moves only when the
 * system is quiet (no activity attempt running, every live partition parked
 * with nothing queued and nothing committing, and no progress seen for
 * QUIET_ROUNDS macrotasks), and then only:
 *  - to the next timer, without limit, while the test waits for a result
 *    (`client.wait`, `handle.result()`): the time skipping of Temporal's test
 *    environment, so a 24-hour timer fires as soon as nothing else can happen;
 *  - up to the target of an `advance(ms)` in progress, timer by timer;
 *  - by the host's restart delay while a partition is down after a crash, so
 *    recovery never needs the test to wait.
 * Otherwise time stands still: a test can start an instance, look at it and
 * raise events without a timer firing behind its back.
 *
 * Invariant: time moves only between quiet rounds, so every step caused by a
 * timer has committed before the next timer can fire.
 */
import { RESTART_DELAY_MS } from "../host.ts";
import type { VirtualClock } from "./virtual-clock.ts";

export interface SystemProbe {
  /** True while work is under way (an activity runs, a partition has work queued or a commit in flight). */
  busy(): boolean;
  /** True while some partition has no live incarnation (between a crash and its recovery). */
  partitionDown(): boolean;
  /** Changes whenever the system makes progress (commits, messages sent, attempts started). */
  progress(): string;
}

/**
 * Macrotasks without progress before the system counts as quiet. Work in the
 * memory backend moves in microtasks, so one round would see it; three leave
 * room for user activities and mocks that await a macrotask of their own.
 */
const QUIET_ROUNDS = 3;
/** Busy rounds without progress after which the driver polls every POLL_BUSY_MS instead of every macrotask: a slow real activity must not cost a core. */
const SPIN_ROUNDS = 50;
const POLL_BUSY_MS = 1;
/** How often a sleeping driver looks again even without a poke (a safety net: every source of work pokes it). */
const POLL_IDLE_MS = 20;

const macrotask = () => new Promise<void>((r) => setImmediate(r));

export class TimeDriver {
  private waiting = 0;
  private advanceTargetMs: number | undefined;
  private quietWaiters: (() => void)[] = [];
  private stopped = false;
  private poked: (() => void) | undefined;
  private readonly loopDone: Promise<void>;

  constructor(private readonly clock: VirtualClock, private readonly probe: SystemProbe) {
    clock.onTimerSet = () => this.poke();
    this.loopDone = this.loop();
  }

  /** Wakes the driver if it sleeps: something happened that may need time to move or timers to fire. */
  poke(): void {
    const p = this.poked;
    this.poked = undefined;
    p?.();
  }

  /** Runs `body` with time skipping on (the test is waiting for a result). */
  async whileWaiting<T>(body: () => Promise<T>): Promise<T> {
    this.waiting++;
    this.poke();
    try {
      return await body();
    } finally {
      this.waiting--;
    }
  }

  /** Moves virtual time forward by `ms`, firing the timers due on the way, each after the work of the last has settled. */
  async advance(ms: number): Promise<void> {
    if (!(typeof ms === "number" && Number.isFinite(ms) && ms >= 0)) throw new TypeError(`advance: ms must be a finite number >= 0, got ${ms}`);
    const target = this.clock.now() + ms;
    this.advanceTargetMs = Math.max(this.advanceTargetMs ?? target, target);
    try {
      // quiet() resolves only once time has nowhere to move, i.e. it has reached the target.
      do await this.quiet();
      while (this.clock.now() < target && !this.stopped);
    } finally {
      if (this.advanceTargetMs !== undefined && this.clock.now() >= this.advanceTargetMs) this.advanceTargetMs = undefined;
    }
  }

  /** Resolves once the system is quiet and time has nowhere to move. */
  quiet(): Promise<true> {
    if (this.stopped) return Promise.resolve(true);
    this.poke();
    return new Promise((resolve) => this.quietWaiters.push(() => resolve(true)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.poke();
    await this.loopDone;
    for (const w of this.quietWaiters.splice(0)) w();
  }

  private async loop(): Promise<void> {
    let quietRounds = 0;
    let busyRounds = 0;
    let last = "";
    while (!this.stopped) {
      this.clock.fireDue();
      const progress = this.probe.progress();
      const busy = this.probe.busy();
      const still = progress === last;
      last = progress;
      quietRounds = !busy && still ? quietRounds + 1 : 0;
      busyRounds = busy && still ? busyRounds + 1 : 0;
      if (quietRounds >= QUIET_ROUNDS) {
        quietRounds = 0;
        if (this.moveTime()) continue;
        for (const w of this.quietWaiters.splice(0)) w();
        await this.sleep(POLL_IDLE_MS);
        continue;
      }
      if (busyRounds >= SPIN_ROUNDS) await this.sleep(POLL_BUSY_MS);
      else await macrotask();
    }
  }

  /** Moves time if anything allows it; returns whether it moved. */
  private moveTime(): boolean {
    const now = this.clock.now();
    let limitMs = now;
    if (this.waiting > 0) limitMs = Infinity;
    if (this.advanceTargetMs !== undefined) limitMs = Math.max(limitMs, this.advanceTargetMs);
    if (this.probe.partitionDown()) limitMs = Math.max(limitMs, now + RESTART_DELAY_MS);
    const next = this.clock.nextDueMs();
    if (next !== undefined && next <= limitMs) {
      this.clock.jumpTo(next);
      return true;
    }
    // Nothing falls due before the advance target: the rest of the span passes with no event.
    if (this.advanceTargetMs !== undefined && this.advanceTargetMs > now) {
      this.clock.jumpTo(this.advanceTargetMs);
      return true;
    }
    return false;
  }

  /** Sleeps `ms` of real time or until poked; the timer is unref'd, so a forgotten host does not keep the process alive. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.poked = undefined;
        resolve();
      }, ms);
      timer.unref?.();
      this.poked = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
