/**
 * The per-instance history: a journal of an instance's steps, for people
 * (`client.history(id)`, `nwc show`, the dev API and the dashboard), never
 * for recovery. Resuming an instance reads its frame, not this.
 *
 * Each step is one object written in the commit that produced the step
 * (runtime/partitions/journal.ts), so the journal is exactly as durable as
 * the state it describes. It is capped per instance
 * (`PartitionOptions.historyLimit`, the last 1,000 steps by default; 0 turns
 * it off) and purged with the instance.
 *
 * Records are deliberately small: names, task ids, attempt counts and error
 * messages, no payloads (inputs, results and event data live in the status
 * and the frame; a journal of them would double every commit).
 */

/** A summary of an error: name and message, without the stack. */
export interface HistoryError {
  name: string;
  message: string;
}

/** What a wake came from. `reply` is a completion whose sender did not say (an older host's message). */
export type HistoryWakeKind = "activity" | "timer" | "event" | "subOrchestration" | "entity" | "lock" | "reply";

/** One completion a step received. */
export interface HistoryWake {
  taskId: number;
  kind: HistoryWakeKind;
  /** Activity, event or sub-orchestration name; `Entity(key).op` for an entity call. */
  name?: string;
  /** The child's instance id, for a sub-orchestration. */
  instanceId?: string;
  ok: boolean;
  /** Why it failed (ok false). */
  error?: HistoryError;
  /** Activity attempts made, the first included (present when more than one). */
  attempts?: number;
  /** The error of the last failed attempt before this result (present when an attempt failed). */
  lastError?: HistoryError;
}

/** One command a step issued. */
export interface HistoryCommand {
  kind: "activity" | "subOrchestration" | "timer" | "waitEvent" | "callEntity" | "signalEntity" | "lock" | "unlock" | "endTransaction" | "setStatus" | string;
  /** The task whose wake answers it (absent for fire-and-forget commands). */
  taskId?: number;
  /** Activity, sub-orchestration or event name. */
  name?: string;
  /** The child's instance id, for a sub-orchestration. */
  instanceId?: string;
  /** `Entity(key)` for entity calls and signals; several, comma-separated, for locks. */
  entity?: string;
  /** The entity operation. */
  op?: string;
  /** When a timer fires (epoch ms). */
  fireAtMs?: number;
}

/**
 * Where the instance waits after a step: an await point of its source, by
 * its line. The await expression at that line is the graph state's label
 * (`GET /api/orchestrations`, `nwc graph`); it is given here only for a
 * state without a line, to keep every step record small.
 */
export interface HistoryWait {
  /** Source line of the await. */
  line?: number;
  /** The graph's label of the state, only when it has no line. */
  label?: string;
}

/** One step of an instance: what woke it, what it asked for, where it stopped. */
export interface HistoryStep {
  /** 1, 2, 3, ... per instance (continue-as-new continues the count); gaps below the first kept step were capped away. */
  seq: number;
  /** Time of the step (epoch ms, the partition's batch time). */
  atMs: number;
  /** Execution number, present from the first continue-as-new on (absent: 0, the first execution). */
  execution?: number;
  wakes: HistoryWake[];
  commands: HistoryCommand[];
  /** How the step ended: still running (it waits), or the instance's end. */
  outcome: "running" | "completed" | "failed" | "continuedAsNew";
  /** The failure that ended the instance (outcome failed). */
  error?: HistoryError;
  /** The await points it waits at after the step (one per waiting branch); absent when it ended. */
  waitsAt?: HistoryWait[];
}

/** What `client.history(id)` and `GET /api/instances/:id/history` return. */
export interface InstanceHistory {
  instanceId: string;
  /** Oldest first; at most `historyLimit` of them. */
  steps: HistoryStep[];
}

/** Steps kept per instance unless `PartitionOptions.historyLimit` says otherwise. */
export const DEFAULT_HISTORY_LIMIT = 1000;
