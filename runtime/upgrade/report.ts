/**
 * What an upgrade request says about each instance it touched: one line per
 * instance, the same on every backend and in `nwc upgrade --json`.
 */

export interface UpgradeReportLine {
  instanceId: string;
  name: string;
  /** "upgraded" (with dryRun: it would be), or "kept" on its version because of `reason`. */
  result: "upgraded" | "kept";
  dryRun: boolean;
  /** The version the instance ran on when the request was applied. */
  from: string;
  /** The version it runs on now (with dryRun: would run on). */
  to?: string;
  reason?: string;
  /** Await points the instance waits at whose line changed (old line -> new line). */
  moves?: { await: string; fromLine: number; toLine: number }[];
}

export interface UpgradeOptions {
  /** The version to move to: "latest", the last version of the orchestration the applying host's app gives. */
  to: "latest";
  /** Say what would happen, change nothing. */
  dryRun?: boolean;
  /** How long to wait for the partitions to apply the request (default 60 s). */
  timeoutMs?: number;
}

/** The key, in an instance record's extension state, of the last upgrade applied to it. */
export const UPGRADE_EXT_KEY = "upgrade";

/** What the partition keeps of an applied request, for the client that sent it. */
export interface AppliedUpgrade {
  request: string;
  line: UpgradeReportLine;
}
