/**
 * Simulated activities for the playground: each activity of the program is
 * wrapped so that an attempt takes `latencyMs` of virtual time and fails with
 * probability `failureRate` (a `SimulatedFailure`); otherwise its own
 * function runs and its value is the result. Retries and backoff are not
 * simulated here: the partition core applies the activity's retry policy, as
 * on a server.
 *
 * Each attempt's coin is drawn from (seed, instance, activity name, input,
 * attempt), so the same settings give the same run, and an attempt re-run
 * after a crash draws the same coin.
 *
 * Invariant: the wrapper adds time and failures, nothing else: a successful
 * attempt returns exactly what the activity's function returns.
 */
import { activity as defineActivity, type Activity } from "../../../runtime/api.ts";
import { encode } from "../../../runtime/codec.ts";
import { sleep, type Clock } from "../../../runtime/partitions/clock.ts";
import { hashString } from "../../../runtime/partitions/hash.ts";

export interface SimSettings {
  /** Virtual milliseconds one activity attempt takes. */
  latencyMs: number;
  /** Probability in [0, 1] that one attempt fails with a SimulatedFailure. */
  failureRate: number;
  /** Seed of the failure coins. */
  seed: number;
}

/** Attempts running now (the runtime is settled only when none is). */
export interface ActivityTracker {
  running: number;
}

export function assertSettings(s: SimSettings): void {
  if (!(Number.isFinite(s.latencyMs) && s.latencyMs >= 0)) throw new RangeError(`latencyMs must be a number >= 0, got ${s.latencyMs}`);
  if (!(s.failureRate >= 0 && s.failureRate <= 1)) throw new RangeError(`failureRate must be within [0, 1], got ${s.failureRate}`);
  if (!Number.isInteger(s.seed)) throw new RangeError(`seed must be an integer, got ${s.seed}`);
}

/** A uniform number in [0, 1) from (seed, key, attempt): splitmix-style integer hashing. */
export function coin(seed: number, key: number, attempt: number): number {
  let h = (seed ^ Math.imul(key + 1, 0x9e3779b1) ^ Math.imul(attempt + 7, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h / 0x1_0000_0000;
}

export class SimulatedFailure extends Error {
  constructor(activity: string, attempt: number) {
    super(`simulated failure of activity ${activity} (attempt ${attempt})`);
    this.name = "SimulatedFailure";
  }
}

/** The key of an attempt's coin: which call this is, independent of the order calls run in. */
export function callKey(instanceId: string, name: string, input: unknown): number {
  let text: string;
  try {
    text = JSON.stringify(encode(input)) ?? "";
  } catch {
    text = String(input);
  }
  return hashString(`${instanceId}\u0000${name}\u0000${text}`);
}

export function simulatedActivity(a: Activity, settings: SimSettings, clock: Clock, tracker: ActivityTracker): Activity {
  return defineActivity(a.name, async (input: unknown, actx) => {
    tracker.running++;
    try {
      if (settings.latencyMs > 0) await sleep(clock, settings.latencyMs);
      if (settings.failureRate > 0 && coin(settings.seed, callKey(actx.instanceId, a.name, input), actx.attempt) < settings.failureRate) {
        throw new SimulatedFailure(a.name, actx.attempt);
      }
      return await a.fn(input, actx);
    } finally {
      tracker.running--;
    }
  }, a.options);
}
