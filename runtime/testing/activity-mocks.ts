/**
 * Activities of a test host: every activity the host runs goes through a
 * wrapper that counts the attempts in flight (the time driver never skips
 * time while one runs) and calls the mock registered for its name, if any,
 * instead of the real function.
 *
 * Invariant: `running` is the number of attempts started and not yet
 * settled, whatever the attempt's outcome.
 */
import type { Activity, ActivityContext } from "../api.ts";

/** One attempt of a mocked activity, as the mock saw it. */
export interface ActivityCall<I> {
  input: I;
  instanceId: string;
  /** 1 for the first attempt; higher on retries and on re-execution after a crash. */
  attempt: number;
}

/** What `mockActivity` returns: the attempts the mock has served so far, in order. */
export interface ActivityMock<I> {
  readonly name: string;
  readonly calls: readonly ActivityCall<I>[];
}

type ActivityFn = (input: any, actx: ActivityContext) => unknown;

export class ActivityMocks {
  private readonly mocks = new Map<string, { fn: ActivityFn; calls: ActivityCall<unknown>[] }>();
  running = 0;
  /** Attempts started so far: progress the time driver watches. */
  started = 0;
  /** Called when an attempt settles, so the time driver notices the system may have gone quiet. */
  onSettled: (() => void) | undefined;

  /** Replaces each activity of `activities` (the host's live map) by the counting wrapper. */
  install(activities: Map<string, Activity>): void {
    for (const [name, original] of activities) activities.set(name, this.wrap(name, original.fn, original.options));
  }

  /** Serves `name` by `fn` from now on; registers the activity if the app had none of that name. */
  mock<I>(activities: Map<string, Activity>, name: string, fn: ActivityFn): ActivityMock<I> {
    if (typeof fn !== "function") throw new TypeError(`mockActivity(${name}): the second argument must be a function (input, actx) => result`);
    const entry = { fn, calls: [] as ActivityCall<unknown>[] };
    this.mocks.set(name, entry);
    if (!activities.has(name)) {
      activities.set(name, this.wrap(name, () => Promise.reject(new Error(`activity "${name}" has no implementation`)), {}));
    }
    return { name, calls: entry.calls as ActivityCall<I>[] };
  }

  private wrap(name: string, original: ActivityFn, options: Activity["options"]): Activity {
    const run = async (input: unknown, actx: ActivityContext) => {
      this.running++;
      this.started++;
      try {
        const mock = this.mocks.get(name);
        if (!mock) return await original(input, actx);
        mock.calls.push({ input, instanceId: actx.instanceId, attempt: actx.attempt });
        return await mock.fn(input, actx);
      } finally {
        this.running--;
        this.onSettled?.();
      }
    };
    return Object.freeze({ kind: "activity" as const, name, fn: run, options });
  }
}
