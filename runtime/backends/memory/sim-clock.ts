/**
 * The simulation clock: virtual time that advances only when nothing else can
 * run. `run(until)` alternates "let every pending promise settle" (one real
 * macrotask) with "fire the earliest virtual timer", so a run with the memory
 * backend is a deterministic function of its seed and takes no real waiting.
 *
 * Invariant: virtual time never goes backwards, and timers due at the same
 * time fire in the order they were set.
 */
import type { Clock, TimerHandle } from "../../partitions/clock.ts";

interface SimTimer {
  id: number;
  dueMs: number;
  fn: () => void;
}

/** Timers fired per run() at most: a run that needs more is livelocked (something re-arms itself forever). */
const MAX_TIMERS_PER_RUN = 2_000_000;

const macrotask: () => Promise<void> =
  typeof (globalThis as any).setImmediate === "function"
    ? () => new Promise((r) => (globalThis as any).setImmediate(r))
    : () => new Promise((r) => globalThis.setTimeout(r, 0));

export class SimClock implements Clock {
  protected nowMs: number;
  private seq = 0;
  /** Sorted by (dueMs, id). */
  protected timers: SimTimer[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  /** Virtual time never goes backwards, so it serves as the monotonic reading too. */
  monotonic(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = { id: ++this.seq, dueMs: this.nowMs + Math.max(0, ms || 0), fn };
    // Insert keeping (dueMs, id) order; timers are few enough for a sorted array.
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1].dueMs > t.dueMs) i--;
    this.timers.splice(i, 0, t);
    return { id: t.id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const i = this.timers.findIndex((t) => t.id === handle.id);
    if (i >= 0) this.timers.splice(i, 1);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Runs until `done()` holds or virtual time passes `maxVirtualMs` from now; returns whether done. */
  async run(done: () => boolean, maxVirtualMs = 600_000): Promise<boolean> {
    const limit = this.nowMs + maxVirtualMs;
    for (let fired = 0; fired < MAX_TIMERS_PER_RUN; fired++) {
      await macrotask();
      if (done()) return true;
      const next = this.timers.shift();
      if (!next) {
        await macrotask();
        if (done()) return true;
        throw new Error("simulation stalled: nothing is scheduled and the condition does not hold");
      }
      if (next.dueMs > limit) {
        this.timers.unshift(next);
        return false;
      }
      this.nowMs = Math.max(this.nowMs, next.dueMs);
      next.fn();
    }
    throw new Error(`simulation fired ${MAX_TIMERS_PER_RUN} timers without finishing: livelock`);
  }

  /** Advances virtual time by `ms`, firing what falls due. */
  async advance(ms: number): Promise<void> {
    const target = this.nowMs + ms;
    await this.run(() => (this.timers[0]?.dueMs ?? Infinity) > target, ms + 1);
    this.nowMs = Math.max(this.nowMs, target);
  }
}
