/**
 * `runScenario(options, scenario)`: runs a test scenario on a fresh test host
 * and returns its result; with `crashEverywhere: true` it then runs the
 * scenario again once per commit of that first run, crashing every partition
 * right after that commit (the memory store keeps what was committed, the
 * partitions recover from it, activities in flight run again), and fails
 * with CrashEverywhereError naming the first crash point whose result differs.
 *
 * What it finds: code whose outcome depends on something a crash changes:
 * activities that are not idempotent (at-least-once: an attempt may run twice),
 * state kept outside the runtime, results that depend on attempt counts.
 *
 * Invariant: each run gets its own host, store and mocks (the scenario
 * registers them); only state the user keeps outside the scenario is shared.
 */
import { inspect, isDeepStrictEqual } from "node:util";
import { startTestHost, type TestHost, type TestHostOptions } from "./test-host.ts";

export interface ScenarioOptions extends TestHostOptions {
  /** Run again with every partition crashed after each commit; fail if any result differs from the first run's. */
  crashEverywhere?: boolean;
  /** Crash runs at most (default 300); with more commits, crash points are spread evenly over them. */
  maxCrashRuns?: number;
}

export interface ScenarioReport<R> {
  /** The result of the run without crashes. */
  result: R;
  /** Commits of the run without crashes: the crash points. */
  commits: number;
  /** Runs in which the crash happened (a run that never reached its crash point is not counted). */
  crashRuns: number;
}

/** Bounds a crash-everywhere check: each run costs a fresh host and the whole scenario, ~10-50 ms. */
const DEFAULT_MAX_CRASH_RUNS = 300;

export class CrashEverywhereError extends Error {
  constructor(
    readonly crashAfterCommit: number,
    readonly commits: number,
    readonly expected: unknown,
    readonly actual: { result: unknown } | { error: unknown },
  ) {
    const got = "error" in actual ? `threw ${inspect(actual.error)}` : `returned ${inspect(actual.result, { depth: 6 })}`;
    super(
      `crash-everywhere: with every partition crashed after commit ${crashAfterCommit} of ${commits}, the scenario ${got}; ` +
        `without crashes it returned ${inspect(expected, { depth: 6 })}. ` +
        `Something in it is not safe to run again after a crash (an activity that is not idempotent, or state kept outside the runtime)`,
    );
    this.name = "CrashEverywhereError";
  }
}

export async function runScenario<R>(options: ScenarioOptions, scenario: (t: TestHost) => Promise<R>): Promise<ScenarioReport<R>> {
  if (typeof scenario !== "function") throw new TypeError("runScenario: the second argument must be an async function (t) => result");
  const plain = await runOnce(options, scenario, undefined);
  if ("error" in plain) throw plain.error;
  const report: ScenarioReport<R> = { result: plain.result, commits: plain.commits, crashRuns: 0 };
  if (!options.crashEverywhere) return report;
  for (const k of crashPoints(plain.commits, options.maxCrashRuns ?? DEFAULT_MAX_CRASH_RUNS)) {
    const run = await runOnce(options, scenario, k);
    if (!run.crashed) continue;
    report.crashRuns++;
    if ("error" in run) throw new CrashEverywhereError(k, plain.commits, plain.result, { error: run.error });
    if (!isDeepStrictEqual(run.result, plain.result)) throw new CrashEverywhereError(k, plain.commits, plain.result, { result: run.result });
  }
  return report;
}

type Run<R> = ({ result: R } | { error: unknown }) & { commits: number; crashed: boolean };

async function runOnce<R>(options: TestHostOptions, scenario: (t: TestHost) => Promise<R>, crashAfterCommit: number | undefined): Promise<Run<R>> {
  const t = await startTestHost(options, { crashAfterCommit });
  let outcome: { result: R } | { error: unknown };
  try {
    outcome = { result: await scenario(t) };
  } catch (error) {
    outcome = { error };
  } finally {
    await t.stop();
  }
  return { ...outcome, commits: t.commits, crashed: t.crashed };
}

/** 1..commits, or `max` of them spread evenly (always including the first and the last). */
export function crashPoints(commits: number, max: number): number[] {
  if (!(Number.isInteger(max) && max >= 1)) throw new TypeError(`runScenario: maxCrashRuns must be an integer >= 1, got ${max}`);
  if (commits <= max) return Array.from({ length: commits }, (_, i) => i + 1);
  if (max === 1) return [commits];
  return [...new Set(Array.from({ length: max }, (_, i) => 1 + Math.round((i * (commits - 1)) / (max - 1))))];
}
