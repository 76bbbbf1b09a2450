/**
 * The step budget: a bound on the synchronous work of one orchestration step
 * or one entity operation, so that an endless loop (or a runaway recursion)
 * fails that one step or operation instead of holding its partition for ever.
 *
 * The compiler puts `__nwc_engine.tick(line)` at the top of every loop body and
 * every sync function body of compiled code: orchestrations, and every
 * function of the user's modules (compiler/transforms/step-counting.ts), which
 * is where module-level helpers and entity operations live. `tick` counts
 * against the budget that is active: one is while a step runs (run.ts) or an
 * entity operation runs (`runWithBudget`), none otherwise, and then a count is
 * a single comparison. Counting, not timing, keeps the outcome the same on
 * every machine and on every re-run of the step after a crash.
 *
 * Invariant: once a budget is passed, every later count in the same run throws
 * the same error, and the run fails with it even if user code caught it: code
 * that catches StepBudgetExceeded cannot run on.
 */

export class StepBudgetExceeded extends Error {
  override name = "StepBudgetExceeded";
  constructor(readonly budget: number, readonly line: number, readonly file: string | undefined) {
    super(`ran more than ${budget.toLocaleString("en-US")} loop iterations and calls without waiting for a durable task (at ${file ? `${file}:` : "line "}${line}); ` +
      "an endless loop? Await a durable task inside long loops, move long computations into an activity, or raise the partition option stepBudget");
  }
}

/** One budgeted run: what it has counted and the most it may count. */
export class Budget {
  ticks = 0;
  /** Set once the budget is passed: the run fails with it, whatever the code did with the throw. */
  exceeded: StepBudgetExceeded | undefined;

  constructor(readonly limit: number) {
    if (!(Number.isSafeInteger(limit) && limit > 0)) throw new RangeError(`stepBudget must be a positive integer, got ${limit}`);
  }

  overBudget(line: number, file: string | undefined): StepBudgetExceeded {
    this.exceeded ??= new StepBudgetExceeded(this.limit, line, file);
    return this.exceeded;
  }
}

let active: Budget | undefined;

/**
 * Counts one loop iteration or function call of compiled code. `file` is given
 * by code outside an orchestration body (a helper's line says little without it).
 */
export function tick(line: number, file?: string): void {
  const b = active;
  if (b !== undefined && ++b.ticks > b.limit) throw b.overBudget(line, file);
}

/** Runs `fn` with `budget` active (nested runs restore the outer one). */
export function withBudget<T>(budget: Budget, fn: () => T): T {
  const saved = active;
  active = budget;
  try {
    return fn();
  } finally {
    active = saved;
  }
}

/**
 * Runs synchronous user code (an entity operation) under a budget of `limit`
 * counts. Past it, throws StepBudgetExceeded with `what` in front of its
 * message, whether or not the code caught the error.
 */
export function runWithBudget<T>(limit: number, what: string, fn: () => T): T {
  const budget = new Budget(limit);
  let value: T | undefined;
  let failure: { error: unknown } | undefined;
  try {
    value = withBudget(budget, fn);
  } catch (error) {
    failure = { error };
  }
  if (budget.exceeded) throw prefixed(budget.exceeded, what);
  if (failure) throw failure.error;
  return value as T;
}

/** The budget error with the name of what ran in front (once: a rethrown error keeps its message). */
export function prefixed(error: StepBudgetExceeded, what: string): StepBudgetExceeded {
  if (!error.message.startsWith(what)) error.message = `${what}: ${error.message}`;
  return error;
}
