/**
 * Simulated activity execution for the playground: whether an attempt fails
 * (a seeded coin per task and attempt, so a crash-and-resume run draws the same
 * coins as an uncrashed one), how long it takes on the virtual clock, and the
 * retry delay from the command's policy.
 *
 * Invariant: pure functions of their arguments; no Math.random, no clock.
 */
import type { RetryPolicy } from "../../../runtime/machine.ts";

export interface SimSettings {
  /** Virtual milliseconds from issuing an activity to its completion. */
  latencyMs: number;
  /** Probability in [0, 1] that one attempt fails with a SimulatedFailure. */
  failureRate: number;
  /** Seed of the failure coins. */
  seed: number;
}

export function assertSettings(s: SimSettings): void {
  if (!(Number.isFinite(s.latencyMs) && s.latencyMs >= 0)) throw new RangeError(`latencyMs must be a number >= 0, got ${s.latencyMs}`);
  if (!(s.failureRate >= 0 && s.failureRate <= 1)) throw new RangeError(`failureRate must be within [0, 1], got ${s.failureRate}`);
  if (!Number.isInteger(s.seed)) throw new RangeError(`seed must be an integer, got ${s.seed}`);
}

/** A uniform number in [0, 1) from (seed, taskId, attempt): splitmix-style integer hashing. */
export function coin(seed: number, taskId: number, attempt: number): number {
  let h = (seed ^ Math.imul(taskId + 1, 0x9e3779b1) ^ Math.imul(attempt + 7, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h / 0x1_0000_0000;
}

export function attemptFails(s: SimSettings, taskId: number, attempt: number): boolean {
  return s.failureRate > 0 && coin(s.seed, taskId, attempt) < s.failureRate;
}

/** Delay before attempt `attempt + 1`, or undefined when the policy allows no further attempt. */
export function retryDelayMs(retry: RetryPolicy | undefined, attempt: number): number | undefined {
  if (!retry || attempt >= retry.maxAttempts) return undefined;
  const raw = retry.backoffMs * Math.pow(retry.backoffCoefficient ?? 2, attempt - 1);
  return Math.min(raw, retry.maxBackoffMs ?? Number.POSITIVE_INFINITY);
}
