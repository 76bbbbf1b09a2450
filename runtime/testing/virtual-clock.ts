/**
 * The test host's clock: virtual time that moves only when told to
 * (`jumpTo`), never by itself. Timers due at or before the current time fire
 * on `fireDue()`. The time driver (time-driver.ts) decides when time may move;
 * this file only keeps the time and the timers.
 *
 * It is the simulator's SimClock (time, ordered timers) with another way to
 * move: unlike SimClock's run(), which fires one timer per macrotask, a
 * jump fires every timer due up to its target at once: a 24-hour wait passes
 * in one jump, not in the hundreds of thousands of internal polls due on the way.
 *
 * Invariants: time never goes backwards; timers due at the same time fire in
 * the order they were set.
 */
import { SimClock } from "../backends/memory/sim-clock.ts";
import type { TimerHandle } from "../partitions/clock.ts";

/** Timers fired by one fireDue() at most: more means something re-arms itself with no delay forever. */
const MAX_FIRED_AT_ONCE = 100_000;

/** A fixed start, so virtual dates in a test are the same on every run: 2024-01-01T00:00:00Z. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2024, 0, 1);

export class VirtualClock extends SimClock {
  /** Called when a timer is set, so the driver can wake up for a timer due now. */
  onTimerSet: (() => void) | undefined;

  constructor(startMs = VIRTUAL_EPOCH_MS) {
    if (!Number.isFinite(startMs)) throw new TypeError(`VirtualClock: the start time must be a finite number of ms, got ${startMs}`);
    super(startMs);
  }

  override setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = super.setTimeout(fn, ms);
    this.onTimerSet?.();
    return handle;
  }

  /** The due time of the earliest timer, or undefined when none is set. */
  nextDueMs(): number | undefined {
    return this.timers[0]?.dueMs;
  }

  /** Fires every timer due now, including ones those set with no delay; returns how many fired. */
  fireDue(): number {
    let fired = 0;
    while (this.timers.length > 0 && this.timers[0].dueMs <= this.nowMs) {
      if (++fired > MAX_FIRED_AT_ONCE) throw new Error(`VirtualClock: more than ${MAX_FIRED_AT_ONCE} timers fell due at ${this.nowMs}: something re-arms a zero-delay timer forever`);
      const timer = this.timers.shift()!;
      try {
        timer.fn();
      } catch (error) {
        // As with a real timer: the exception is uncaught, it does not stop the other timers (nor the driver that fires them).
        setTimeout(() => {
          throw error;
        }, 0);
      }
    }
    return fired;
  }

  /** Moves time forward to `ms` (never back) and fires what falls due. */
  jumpTo(ms: number): void {
    if (!Number.isFinite(ms)) throw new TypeError(`VirtualClock: cannot jump to ${ms}`);
    this.nowMs = Math.max(this.nowMs, ms);
    this.fireDue();
  }
}
