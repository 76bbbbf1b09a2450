/**
 * InstanceState: one object per orchestration instance, key `inst:<id>`.
 * Holds the machine frame (codec-encoded), the wakes not yet stepped, event
 * waits and buffered events, and the public status fields.
 *
 * Invariants: the payload fields (`input`, `output`, `error`, `customStatus`,
 * `frame`, `suspended`) are replaced, never changed in place, so status rows
 * in commit records may share them; `frame` is null exactly when the instance is finished
 * (Completed/Failed/Terminated); `inbox` is empty for a finished instance;
 * `execution` only grows (continue-as-new), so a reply for an older
 * execution is recognised and dropped.
 */
import type { InstanceStatusRecord, Json } from "../../backends/types.ts";
import type { ErrorInfo, TaskId } from "../../machine.ts";
import { cloneJson } from "../json.ts";
import type { JsonTaskResult, TaskRef, WakeSource } from "../messages.ts";

export interface InboxEntry {
  taskId: TaskId;
  result: JsonTaskResult;
  source?: WakeSource;
}

export type InstanceStatus = InstanceStatusRecord["status"];

export interface InstanceRecord {
  instanceId: string;
  name: string;
  version: string;
  execution: number;
  status: InstanceStatus;
  input: Json;
  output: Json;
  error: ErrorInfo | null;
  customStatus: Json;
  createdAt: number;
  updatedAt: number;
  /**
   * The machine's frame, codec-encoded; null before the start and once finished. Stored as its JSON
   * text when `frameText` is set (setEncodedFrame), else as the encoded value itself.
   */
  frame: Json | null;
  /**
   * Set on every record this version makes: its frame is one string between steps, where the encoded
   * value would be tens of objects per instance in flight, each kept past several collections of the
   * young generation (docs/runtime.md, section 15). Records of earlier versions lack it.
   */
  frameText?: true;
  /** Completions received since the last step, in arrival order (with their source while the history is on). */
  inbox: InboxEntry[];
  /** Event name -> tasks of `ctx.waitForEvent` waiting for it, oldest first. */
  waiting: Record<string, TaskId[]>;
  /** Event name -> data raised while nobody waited, oldest first. */
  buffered: Record<string, Json[]>;
  parent?: TaskRef;
  /** Set while the host lacks this instance's machine version; the instance waits for a host that has it. */
  suspended?: ErrorInfo;
  /** Seqs of the first and last step kept in the history (state/history.ts); undefined (or absent, in a stored record) while none is. */
  historyFirst?: number;
  historyLast?: number;
  /** State owned by extensions (e.g. `locks`, runtime/partitions/entities/holder.ts). */
  ext: Record<string, Json>;
}

export const INSTANCE_PREFIX = "inst:";
export const instanceKey = (instanceId: string): string => INSTANCE_PREFIX + instanceId;

/**
 * The copy of an instance that goes into a commit record or checkpoint: the
 * containers a later batch changes in place (inbox, waits, buffered events,
 * extension state) are copied; the payload fields, which are only ever
 * replaced (see the invariants above), are shared, so a large frame or input
 * is not copied on every step. The result equals a JSON round trip of `rec`,
 * but for `historyFirst`/`historyLast` while undefined: they are kept (deleting
 * them would make each copy a slow dictionary object), and every store's JSON
 * encoding leaves them out.
 */
export function instanceForCommit(rec: InstanceRecord): InstanceRecord {
  const out: InstanceRecord = { ...rec, inbox: rec.inbox.slice(), waiting: copyLists(rec.waiting), buffered: copyLists(rec.buffered), ext: cloneJson(rec.ext) };
  // JSON drops undefined properties; so must the copy (a store may refuse them).
  if ("suspended" in out && out.suspended === undefined) delete out.suspended;
  if ("parent" in out && out.parent === undefined) delete out.parent;
  return out;
}

/** The instance's encoded frame (codec.ts decodes it), however it is stored; null before the start and once finished. */
export function encodedFrameOf(rec: InstanceRecord): Json | null {
  return rec.frameText === true && typeof rec.frame === "string" ? (JSON.parse(rec.frame) as Json) : rec.frame;
}

/** Stores an encoded frame as its JSON text; returns the text (the identity DecodedFrames compares). */
export function setEncodedFrame(rec: InstanceRecord, encoded: Json): string {
  return setFrameText(rec, JSON.stringify(encoded));
}

/** Stores a frame's JSON text (codec.ts encodeFrameText); returns it. */
export function setFrameText(rec: InstanceRecord, text: string): string {
  rec.frame = text;
  rec.frameText = true;
  return text;
}

function copyLists<T>(lists: Record<string, T[]>): Record<string, T[]> {
  const out: Record<string, T[]> = {};
  for (const k in lists) out[k] = lists[k]!.slice();
  return out;
}

export function isFinished(status: InstanceStatus): boolean {
  return status === "Completed" || status === "Failed" || status === "Terminated";
}

export function statusRecordOf(rec: InstanceRecord): InstanceStatusRecord {
  return {
    instanceId: rec.instanceId,
    name: rec.name,
    status: rec.status,
    input: rec.input,
    output: rec.output,
    error: (rec.error ?? rec.suspended ?? null) as Json,
    customStatus: rec.customStatus,
    createdAt: rec.createdAt,
    updatedAt: rec.updatedAt,
    ...(rec.parent ? { parentInstanceId: rec.parent.instanceId } : {}),
    version: rec.version,
  };
}

export function assertInstance(rec: InstanceRecord): void {
  if (isFinished(rec.status) && rec.frame !== null) throw new Error(`instance ${rec.instanceId}: finished (${rec.status}) but still has a frame`);
  if (!isFinished(rec.status) && rec.frame === null && rec.status !== "Pending") {
    throw new Error(`instance ${rec.instanceId}: ${rec.status} without a frame`);
  }
}
