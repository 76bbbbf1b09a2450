/**
 * The message kinds partitions exchange (envelope bodies, plain JSON) and the
 * local events a partition gives itself (activity results, timers fired).
 * Each kind has exactly one handler in runtime/partitions/handlers/, found
 * through the handler table in registry.ts; adding a kind is adding a file.
 *
 * User data inside a message (inputs, results, event data) is already
 * codec-encoded JSON (runtime/codec.ts) and is decoded only where it is used.
 */
import type { Json } from "../backends/types.ts";
import type { HistoryWakeKind } from "../history.ts";
import type { EntityId, ErrorInfo, TaskId } from "../machine.ts";

/** A task result with its value codec-encoded. */
export type JsonTaskResult = { ok: true; value: Json } | { ok: false; error: ErrorInfo };

/** Who is waiting for a result: one task of one execution of one instance. */
export interface TaskRef {
  instanceId: string;
  /** Execution number of the instance (continue-as-new increments it), so a stale reply is dropped. */
  execution: number;
  taskId: TaskId;
}

export interface StartInstanceMessage {
  kind: "startInstance";
  instanceId: string;
  name: string;
  input: Json;
  /** Set for sub-orchestrations: the parent task the result goes to. */
  parent?: TaskRef;
}

/**
 * Where a completion came from, for the instance's history (runtime/history.ts):
 * set by the sender only while the history is on, never read by a step.
 */
export interface WakeSource {
  kind: HistoryWakeKind;
  name?: string;
  instanceId?: string;
  /** Activity attempts made, the first included. */
  attempts?: number;
  /** The last failed attempt's error, when a retry followed it. */
  lastError?: ErrorInfo;
}

/** A completion for a waiting task from another instance or entity (sub-orchestration result, entity reply). */
export interface WakeMessage {
  kind: "wake";
  to: TaskRef;
  result: JsonTaskResult;
  source?: WakeSource;
}

export interface RaiseEventMessage {
  kind: "raiseEvent";
  instanceId: string;
  name: string;
  data: Json;
}

export interface TerminateMessage {
  kind: "terminate";
  instanceId: string;
  reason: Json;
}

/** Client -> partition: delete a finished instance's record and status row (runtime/partitions/handlers/purge.ts). */
export interface PurgeInstanceMessage {
  kind: "purgeInstance";
  instanceId: string;
}

export interface EntityOperationMessage {
  kind: "entityOperation";
  entity: EntityId;
  op: string;
  input: Json;
  /** Absent for signals (fire and forget). */
  caller?: TaskRef;
  /** Set by a critical section (runtime/partitions/entities): the lock the call runs under. */
  requestId?: string;
  /** Set inside ctx.transaction: run on the staged state. */
  transaction?: boolean;
}

/** Receiver -> sender: every message with seq <= upTo is committed here; drop it from the outbox. Unsequenced. */
export interface AckMessage {
  kind: "ack";
  upTo: number;
}

/** Local: an activity attempt ended. */
export interface ActivityResultEvent {
  kind: "activityResult";
  key: string;
  attempt: number;
  result: JsonTaskResult;
}

/** Local: a durable timer is due. */
export interface TimerFiredEvent {
  kind: "timerFired";
  key: string;
}

/** Local: an instance has wakes left over from a step (e.g. a buffered event matched a new wait). */
export interface RunStepEvent {
  kind: "runStep";
  instanceId: string;
}

export type CoreMessage =
  | StartInstanceMessage
  | WakeMessage
  | RaiseEventMessage
  | TerminateMessage
  | PurgeInstanceMessage
  | EntityOperationMessage
  | AckMessage;

/** Local, queued at start-up: an instance waited for a host that has its machine; this one may. */
export interface ResumeSuspendedEvent {
  kind: "resumeSuspended";
  instanceId: string;
}

export type LocalEvent = ActivityResultEvent | TimerFiredEvent | RunStepEvent | ResumeSuspendedEvent;

/** Any message body: the core's kinds, or a kind an extension registered (the lock protocol). */
export type AnyMessage = { kind: string };
