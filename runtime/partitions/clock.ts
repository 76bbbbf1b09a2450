/**
 * The clock the partition core, the memory backend, the workers and the
 * client read time and schedule callbacks through. The real clock wraps
 * globalThis timers (no `node:` import: the playground bundles the core for
 * the browser); the simulation clock (runtime/backends/memory/sim-clock.ts)
 * advances virtual time only when nothing else can run, so a seeded run is
 * reproducible.
 *
 * Two readings: `now()` is wall time (epoch ms), what durable timers
 * (`ctx.sleepUntil`) and stored timestamps mean; `monotonic()` only measures
 * durations (timeouts, poll and resend intervals) and never jumps when the
 * wall clock is stepped (NTP, a suspended laptop, a user changing the date).
 *
 * Invariant: code under runtime/partitions/ never calls Date.now() or
 * setTimeout directly; it asks a Clock.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Wall time, epoch ms: may jump backwards or forwards. */
  now(): number;
  /** Ms from an arbitrary origin, never decreasing: for deadlines and intervals, never for stored times. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

/** The longest delay timers accept (2^31-1 ms, ~24.8 days); longer ones would fire at once. Callers re-arm after an early wake-up. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

export const realClock: Clock = {
  now: () => Date.now(),
  // performance.now() is monotonic in Node and in browsers (no node: import needed).
  monotonic: () => globalThis.performance.now(),
  setTimeout(fn, ms) {
    // Not unref'd: a running host keeps its process alive until stop(), like a server.
    const t = globalThis.setTimeout(fn, Math.min(MAX_TIMER_DELAY_MS, Math.max(0, ms)));
    return { id: 0, t } as unknown as TimerHandle;
  },
  clearTimeout(handle) {
    if (handle) globalThis.clearTimeout((handle as unknown as { t: any }).t);
  },
};

/** A promise that resolves after `ms` on `clock`. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}
