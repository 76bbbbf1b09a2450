/**
 * Argument values of the instance commands: JSON payloads, points in time.
 * Each refusal is a UsageError naming the argument and what was expected.
 */
import { UsageError } from "./target.ts";

/** A JSON argument; `what` names it ("the event data (argument 3)"). Absent means undefined. */
export function parseJsonArg(text: string | undefined, what: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} is not valid JSON (${(error as Error).message}); quote it for the shell, e.g. '{"approved":true}' or '"text"'`);
  }
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `2026-12-01T00:00:00Z` (any date Date.parse reads) or a duration before now: `90s`, `15m`, `1h`, `7d`. */
export function parseTime(text: string, flag: string, now = Date.now()): number {
  const ago = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  if (ago) return now - Number(ago[1]) * UNIT_MS[ago[2]!]!;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`${flag} ${JSON.stringify(text)} is neither a date (2026-12-01T00:00:00Z) nor a duration before now (30s, 15m, 1h, 7d)`);
  return ms;
}

const STATUSES = ["Pending", "Running", "Suspended", "Completed", "Failed", "Terminated"] as const;
export type StatusName = (typeof STATUSES)[number];

/** `--status Running,Failed`, case-insensitive. */
export function parseStatuses(text: string, flag = "--status"): StatusName[] {
  return text.split(",").map((raw) => {
    const found = STATUSES.find((s) => s.toLowerCase() === raw.trim().toLowerCase());
    if (!found) throw new UsageError(`${flag}: unknown status ${JSON.stringify(raw)}; use ${STATUSES.join(", ")} (comma-separated)`);
    return found;
  });
}
