/**
 * A batch: the unit of work between two commits. Handlers and commands get a
 * Batch and change state only through it: objects (tracked for the commit),
 * outgoing messages (into the outbox, sent after the commit), activities to
 * start, timers to arm, status changes, instances to step.
 *
 * Invariant: nothing a batch produces leaves the partition before the
 * batch's commit, except activity starts (activities are at-least-once, so
 * running one whose commit is later lost only repeats it).
 */
import type { Json } from "../backends/types.ts";
import type { EntityId } from "../machine.ts";
import type { App } from "./app.ts";
import { partitionOfEntity, partitionOfInstance } from "./hash.ts";
import type { AnyMessage, CoreMessage, LocalEvent } from "./messages.ts";
import type { ObjectTable } from "./objects.ts";
import type { ActivityRecord } from "./state/activities.ts";
import { instanceKey, type InstanceRecord } from "./state/instance.ts";
import { enqueue } from "./state/outbox.ts";
import type { TimerRecord } from "./state/timers.ts";
import { runStepKey } from "./markers.ts";

export interface StepTrace {
  instanceId: string;
  atMs: number;
  execution: number;
  position: string[] | undefined;
  wakes: { taskId: number; ok: boolean }[];
  commands: string[];
  outcome: string;
}

export interface PartitionEnv {
  partition: number;
  partitionCount: number;
  app: App;
  objects: ObjectTable;
  log(level: "warn" | "error", message: string): void;
  /** Called for every step (timelines of `nwc run`, the dashboard). */
  onStep?(trace: StepTrace): void;
  /** StepEnv.stepBudget of every step, and the budget of every entity operation. */
  stepBudget?: number;
  /** Steps of history kept per instance (PartitionOptions.historyLimit); 0: none recorded. */
  historyLimit: number;
  /** Queues `event` for a later batch once `promise` settles (a stored machine version loaded). */
  whenSettled?(promise: Promise<unknown>, event: LocalEvent): void;
}

export class Batch {
  readonly statusChanged = new Set<string>();
  readonly toStep = new Set<string>();
  readonly newActivities: { key: string; record: ActivityRecord }[] = [];
  readonly newTimers: { key: string; timer: TimerRecord }[] = [];
  /** Local events for the next batch (work found during the step phase). */
  readonly followUps: LocalEvent[] = [];
  /** Receiving partitions this batch enqueued messages for. */
  readonly sentTo = new Set<number>();
  stepPhase = false;

  constructor(
    readonly env: PartitionEnv,
    /** Time of this batch: the `nowMs` every step of it sees. */
    readonly nowMs: number,
    /** Commit position this batch will be written at. */
    readonly logPosition: number,
  ) {}

  get objects(): ObjectTable {
    return this.env.objects;
  }

  get app(): App {
    return this.env.app;
  }

  instance(instanceId: string): InstanceRecord | undefined {
    return this.objects.get<InstanceRecord>(instanceKey(instanceId));
  }

  /** Marks an instance changed: its object goes into the commit, its status into the status index. */
  touchInstance(rec: InstanceRecord, statusChanged = true): void {
    rec.updatedAt = this.nowMs;
    this.objects.touch(instanceKey(rec.instanceId));
    if (statusChanged) this.statusChanged.add(rec.instanceId);
  }

  /** Puts a message for partition `to` into the outbox of this batch. */
  send(to: number, body: CoreMessage | AnyMessage): void {
    if (!(Number.isInteger(to) && to >= 0 && to < this.env.partitionCount)) throw new Error(`send: partition ${to} does not exist`);
    enqueue(this.objects, to, body as Json, this.logPosition);
    this.sentTo.add(to);
  }

  sendToInstance(instanceId: string, body: CoreMessage | AnyMessage): void {
    this.send(partitionOfInstance(instanceId, this.env.partitionCount), body);
  }

  sendToEntity(entity: EntityId, body: CoreMessage | AnyMessage): void {
    this.send(partitionOfEntity(entity, this.env.partitionCount), body);
  }

  /** The instance has wakes to process: step it in this batch, or in the next if the step phase already ran it. */
  scheduleStep(instanceId: string): void {
    if (this.stepPhase) {
      // Durable, so a crash after this commit still steps the instance after recovery.
      this.objects.set(runStepKey(instanceId), 1);
      this.followUps.push({ kind: "runStep", instanceId });
    } else this.toStep.add(instanceId);
  }

  startActivity(key: string, record: ActivityRecord): void {
    this.objects.set(key, record);
    this.newActivities.push({ key, record });
  }

  armTimer(key: string, timer: TimerRecord): void {
    this.objects.set(key, timer);
    this.newTimers.push({ key, timer });
  }
}
