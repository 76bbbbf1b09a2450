/**
 * Where the instance commands (`nwc list/show/raise/terminate/purge/entity/signal`)
 * act: a store directory through `connect()` (dir-target.ts), or a running
 * `nwc dev` through its HTTP API (url-target.ts). Both answer the same
 * questions with the same shapes, so a command is written once.
 *
 * Invariant: an unknown instance is a NotFoundError and a refused change a
 * RefusedError, whichever target; the commands turn them into exit code 1.
 */
import type { InstanceStatus, ListFilter } from "../../runtime/client.ts";
import type { HistoryStep } from "../../runtime/history.ts";
import type { PendingWaits } from "../../runtime/instance-waits.ts";
import type { VersionReport } from "../../runtime/versions/report.ts";
import type { UpgradeReportLine } from "../../runtime/upgrade/report.ts";

/** `nwc show`: the status plus where the instance stands and what it did. */
export interface InstanceDetails extends InstanceStatus {
  /** What it waits for (events, timers, activities); absent once finished. */
  waits?: PendingWaits;
  /** Graph states where it waits, as source lines (when the target knows its code). */
  waitingAt?: string[];
  /** Its sub-orchestrations, from the history's start commands (so only those the kept history names). */
  children?: { instanceId: string; name: string }[];
  /** Its history, oldest step first (runtime/history.ts). */
  history?: HistoryStep[];
}

export interface InstanceTarget {
  /** The flag naming this target, for commands printed to the user: `--dir .nwc` or `--url http://...`. */
  readonly flag: string;
  /** The target in words, for messages: `.nwc` or `http://127.0.0.1:7071`. */
  readonly label: string;
  list(filter: ListFilter): Promise<InstanceStatus[]>;
  status(instanceId: string): Promise<InstanceStatus | undefined>;
  show(instanceId: string): Promise<InstanceDetails | undefined>;
  raise(instanceId: string, event: string, data: unknown): Promise<void>;
  terminate(instanceId: string, reason: unknown): Promise<void>;
  purge(instanceId: string): Promise<void>;
  readEntity(name: string, key: string): Promise<unknown>;
  signal(name: string, key: string, op: string, input: unknown): Promise<void>;
  /** The machine versions stored with the backend and the instances on each (`nwc versions`). */
  versions(): Promise<VersionReport[]>;
  /** Moves the waiting instances of `orchestration` to its latest version where they can be carried (runtime/upgrade/). */
  upgrade(orchestration: string, options: { dryRun: boolean; timeoutMs?: number }): Promise<UpgradeReportLine[]>;
  close(): Promise<void>;
}

/** The instance (or entity) does not exist at the target. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** The target refused the change (purge of an instance still running, an unknown entity operation, ...). */
export class RefusedError extends Error {
  override name = "RefusedError";
}

/** The command line itself is wrong: exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export function notFound(instanceId: string, target: InstanceTarget): NotFoundError {
  return new NotFoundError(`no instance ${instanceId} in ${target.label}; nwc list ${target.flag} shows the instances`);
}
