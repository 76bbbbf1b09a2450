/**
 * What a waiting instance waits for, read from committed state (so from any
 * process, with or without a host running): the events it waits for (its
 * `waiting` table), its pending durable timers and activity tasks (objects
 * `tmr:` and `act:` of its current execution), and, given its machine, the
 * await points of the source where it stands. Used by `nwc show`, the dev
 * API's instance route and `nwc run`'s waiting line.
 *
 * Invariant: read-only; each object is read as committed (runtime/inspect.ts).
 */
import type { PartitionStore } from "./backends/types.ts";
import { decode } from "./codec.ts";
import type { Machine, MachineGraph } from "./machine.ts";
import { partitionOfInstance } from "./partitions/hash.ts";
import { ACTIVITY_PREFIX, type ActivityRecord } from "./partitions/state/activities.ts";
import { encodedFrameOf, instanceKey, type InstanceRecord } from "./partitions/state/instance.ts";
import { instanceOfTaskKey } from "./partitions/state/task-key.ts";
import { TIMER_PREFIX, type TimerRecord } from "./partitions/state/timers.ts";
import { readCommittedObject, readCommittedObjects } from "./inspect.ts";

export interface PendingWaits {
  /** Event names a `ctx.waitForEvent` waits for. */
  events: string[];
  /** Durable timers not yet fired, earliest first. */
  timers: { fireAtMs: number }[];
  /** Activity tasks not yet completed. */
  activities: { name: string; attempt: number }[];
}

export async function readInstanceRecord(store: PartitionStore, partitionCount: number, instanceId: string): Promise<InstanceRecord | undefined> {
  const partition = partitionOfInstance(instanceId, partitionCount);
  return (await readCommittedObject(store, partition, instanceKey(instanceId))) as InstanceRecord | undefined;
}

/** The waits of the instance's current execution; all empty for a finished instance. */
export async function readPendingWaits(store: PartitionStore, partitionCount: number, rec: InstanceRecord): Promise<PendingWaits> {
  const waits: PendingWaits = { events: [], timers: [], activities: [] };
  if (rec.frame === null) return waits;
  waits.events = Object.keys(rec.waiting).filter((name) => rec.waiting[name]!.length > 0);
  const partition = partitionOfInstance(rec.instanceId, partitionCount);
  const ours = (key: string) => instanceOfTaskKey(key) === rec.instanceId;
  for (const t of (await readCommittedObjects(store, partition, TIMER_PREFIX, ours)) as unknown as TimerRecord[]) {
    if (t.execution === rec.execution) waits.timers.push({ fireAtMs: t.fireAtMs });
  }
  waits.timers.sort((a, b) => a.fireAtMs - b.fireAtMs);
  for (const a of (await readCommittedObjects(store, partition, ACTIVITY_PREFIX, ours)) as unknown as ActivityRecord[]) {
    if (a.execution === rec.execution) waits.activities.push({ name: a.name, attempt: a.attempt });
  }
  return waits;
}

/** Machine.position of the committed frame (graph state ids), if the machine can tell. */
export function positionOf(machine: Machine | undefined, rec: InstanceRecord): string[] | undefined {
  if (!machine?.position || rec.frame === null) return undefined;
  try {
    return machine.position(decode(encodedFrameOf(rec)));
  } catch {
    // A frame of another build of the code: no position rather than a failed inspection.
    return undefined;
  }
}

/** A graph state as its source line and await expression, so a position reads against the code. */
export function describeState(state: string, graph: MachineGraph | undefined): string {
  const node = graph?.states.find((s) => s.id === state);
  if (!node || state === "end" || state === "start") return state;
  return node.line !== undefined ? `line ${node.line}: ${node.label}` : node.label;
}

/** "event `approval` or timer at 10:32:00", or undefined when it waits for nothing of these. */
export function describeWaits(waits: PendingWaits): string | undefined {
  const parts = [
    ...waits.events.map((e) => `event \`${e}\``),
    ...waits.timers.map((t) => `timer at ${clockTime(t.fireAtMs)}`),
    ...waits.activities.map((a) => `activity \`${a.name}\`${a.attempt > 1 ? ` (attempt ${a.attempt})` : ""}`),
  ];
  return parts.length > 0 ? parts.join(" or ") : undefined;
}

/** Local wall-clock time of day, HH:MM:SS (a timer due on another day gets its date too). */
export function clockTime(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  const sameDay = new Date(now).toDateString() === d.toDateString();
  return sameDay ? time : `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${time}`;
}
