/**
 * The machine contract: the one interface the compiler emits against and the
 * runtime drives. Nothing here depends on the compiler or on the partition core.
 *
 * A compiled orchestration is a pure transition function over plain data:
 *
 *     init(input, env)            -> frame
 *     step(frame, wakes, env)     -> { frame, commands, outcome }
 *
 * - A frame is plain data (after `runtime/codec.ts` encoding it is JSON). The
 *   runtime persists it after every step; resuming an instance is "load frame,
 *   call step": no history, no replay.
 * - `wakes` are the completions the instance has received since its last step
 *   (activity results, timers fired, events raised, entity replies, lock grants,
 *   sub-orchestration results), in arrival order. `step` applies them in that
 *   order and runs every branch that can run until each waits or the machine ends.
 * - `commands` are the effects the step asks for. Task ids are deterministic
 *   (a counter in the frame), so running the same step twice after a crash asks
 *   for the same tasks with the same ids, and the runtime de-duplicates by id.
 * - `step` must not do I/O and must not read the clock: time comes from
 *   `env.nowMs`, randomness from a seeded generator kept in the frame.
 *
 * See docs/machine-contract.md for the encoding and worked examples.
 */

/** Deterministic, per-instance task id, issued in order by the machine. */
export type TaskId = number;

/** Errors cross every boundary as plain data: name, message and stack survive. */
export interface ErrorInfo {
  name: string;
  message: string;
  stack?: string;
}

export type TaskResult =
  | { ok: true; value: unknown }
  | { ok: false; error: ErrorInfo };

/** One completion delivered to an instance. */
export interface Wake {
  taskId: TaskId;
  result: TaskResult;
}

/** What the runtime tells a step about the world; the only inputs besides frame and wakes. */
export interface StepEnv {
  instanceId: string;
  /** Time of this step (the batch time of the partition); `ctx.now()` reads it. */
  nowMs: number;
  /**
   * Loop iterations and function calls one step may run (compiled code counts
   * them); beyond it the step fails with StepBudgetExceeded. Default
   * DEFAULT_STEP_BUDGET: about a second of work, far above any real step.
   */
  stepBudget?: number;
}

/** The default of StepEnv.stepBudget. */
export const DEFAULT_STEP_BUDGET = 100_000_000;

/** An entity is named by its entity name and a key. */
export interface EntityId {
  name: string;
  key: string;
}

export interface RetryPolicy {
  /** Total attempts including the first; 1 means no retry. */
  maxAttempts: number;
  /** Delay before the second attempt. */
  backoffMs: number;
  /** Each further delay is multiplied by this (default 2). */
  backoffCoefficient?: number;
  /** Upper bound for one delay (default unbounded). */
  maxBackoffMs?: number;
}

/** Effects a step asks the runtime for. Every awaited one carries the TaskId its Wake will name. */
export type Command =
  | { kind: "activity"; taskId: TaskId; name: string; input: unknown; retry?: RetryPolicy }
  | { kind: "subOrchestration"; taskId: TaskId; name: string; input: unknown; instanceId: string }
  | { kind: "timer"; taskId: TaskId; fireAtMs: number }
  | { kind: "waitEvent"; taskId: TaskId; name: string }
  | {
      kind: "callEntity";
      taskId: TaskId;
      entity: EntityId;
      op: string;
      input: unknown;
      /** Set inside `ctx.transaction`: the operation runs on the transaction's staged state. */
      transactionId?: TaskId;
    }
  | { kind: "signalEntity"; entity: EntityId; op: string; input: unknown }
  /** Acquire locks on all entities (the runtime sorts them into the global order); the Wake carries the grant. */
  | { kind: "lock"; taskId: TaskId; entities: EntityId[] }
  /** Release the locks taken by the lock command `lockTaskId`. */
  | { kind: "unlock"; lockTaskId: TaskId; entities: EntityId[] }
  /** End a transaction that ran under lock `lockTaskId`: apply (commit) or discard its staged writes. */
  | { kind: "endTransaction"; lockTaskId: TaskId; entities: EntityId[]; commit: boolean }
  | { kind: "setStatus"; value: unknown };

export type Outcome =
  | { kind: "running" }
  | { kind: "completed"; output: unknown }
  | { kind: "failed"; error: ErrorInfo }
  | { kind: "continuedAsNew"; input: unknown };

/** Opaque to the runtime: plain data only the machine interprets. */
export type Frame = unknown;

export interface StepResult {
  frame: Frame;
  commands: Command[];
  outcome: Outcome;
}

/** The control graph: states are await points. Used by `nwc graph` and the playground. */
export interface MachineGraph {
  /** State ids; "start" and "end" always exist. */
  states: { id: string; label: string; line?: number }[];
  transitions: { from: string; to: string; label?: string }[];
}

export interface Machine {
  readonly name: string;
  /** Content hash of the compiled code: instances keep the version they started on. */
  readonly version: string;
  init(input: unknown, env: StepEnv): Frame;
  step(frame: Frame, wakes: readonly Wake[], env: StepEnv): StepResult;
  /** Where the machine is waiting now, as state ids of `graph` (one per waiting branch). */
  position?(frame: Frame): string[];
  readonly graph: MachineGraph;
  /** URL of the compiled module that defines it, when known: a host stores the version's code from there (runtime/versions/). */
  readonly source?: string;
  /** What an upgrade needs to carry a waiting instance to another version (runtime/upgrade/). */
  readonly upgrade?: UpgradeManifest;
  /**
   * True when `step` may be given the frame object its previous step returned
   * (when the codec says decoding the stored frame would give the same graph)
   * instead of a fresh decode: the machine then must not keep references to
   * the frames it returns, nor put into them objects it shares elsewhere.
   * Absent: every step gets a freshly decoded frame.
   */
  readonly reusesFrames?: boolean;
}

/**
 * The await points of a compiled machine, for upgrading waiting instances
 * (docs/runtime.md "Upgrading instances"). Emitted by compiler/versioning/.
 */
export interface UpgradeManifest {
  /** Content hash of the module whose step functions the machine's frames name ("<module>#<index>"). */
  module: string;
  /** The machine's step functions: the root and the async closures nested in it. */
  functions: UpgradeFunction[];
  awaits: UpgradeAwait[];
}

export interface UpgradeFunction {
  /** Index in the module's step-function table. */
  index: number;
  /** Stable name: the orchestration, then each enclosing closure (`order/charge#0`). */
  key: string;
  /** Depth of its own scope in a branch's scope chain (the root's is 0). */
  depth: number;
  /** Names of its frame locals (the properties of its scope). */
  locals: string[];
  /** Its parameters: set when it starts, so an await anywhere in it can carry them. */
  params: UpgradeLocal[];
}

export interface UpgradeLocal {
  name: string;
  /** Scope depth the local lives in (0: the root function's). */
  depth: number;
  /** Its type as the checker prints it ("(temporary)" for a compiler temporary). */
  type: string;
}

export interface UpgradeAwait {
  /** Index of the step function the await is in. */
  fn: number;
  /** The label a branch holds while it waits there (graph state `<fn>:<resume>`). */
  resume: number;
  /** Stable key: enclosing function, loop/try/branch structure, awaited text, and an ordinal among equal ones. */
  key: string;
  line: number;
  /** The try regions ([try, catch, finally, end] labels, null when absent) around the await, outermost first. */
  regions: (number | null)[][];
  /** Locals the code after the await may read before writing them. */
  live: UpgradeLocal[];
  /** The source statement the await is part of (a compound statement's header only). */
  statement: string;
  /** Compiler temporaries live here that hold the part of that statement evaluated before the await. */
  partial: string[];
}

export function isMachine(value: unknown): value is Machine {
  const m = value as Machine | null;
  return (
    typeof m === "object" && m !== null &&
    typeof m.name === "string" && typeof m.version === "string" &&
    typeof m.init === "function" && typeof m.step === "function"
  );
}
