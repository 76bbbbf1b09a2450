/**
 * Human-readable output of the instance commands: aligned tables and the
 * field list of `nwc show`. `--json` output bypasses all of this.
 */
import type { InstanceStatus } from "../../runtime/client.ts";
import { describeWaits } from "../../runtime/instance-waits.ts";
import { historyLines } from "./history-format.ts";
import type { InstanceDetails } from "./target.ts";

/**
 * The `--json` form of a status: every field present (null where the
 * status has none), whether it came from a store or over HTTP.
 */
export function statusJson(s: InstanceStatus): Record<string, unknown> {
  return {
    instanceId: s.instanceId,
    name: s.name,
    status: s.status,
    input: s.input ?? null,
    output: s.output ?? null,
    error: s.error ?? null,
    customStatus: s.customStatus ?? null,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version: s.version ?? null,
  };
}

/** `nwc show --json`: the status, where it waits (when it waits), its parent, children and history. */
export function detailsJson(d: InstanceDetails): Record<string, unknown> {
  return {
    ...statusJson(d),
    ...(d.waits ? { waits: d.waits } : {}),
    ...(d.waitingAt ? { waitingAt: d.waitingAt } : {}),
    parentInstanceId: d.parentInstanceId ?? null,
    children: d.children ?? [],
    history: d.history ?? [],
  };
}

/** Columns padded to their widest cell; the last column is not padded (no trailing blanks). */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [line(headers), ...rows.map(line)].join("\n");
}

/** `2026-12-04 22:01:05Z`: UTC, to the second, sortable. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19) + "Z";
}

/** A value in one line of JSON (undefined shown as `-`), cut at `max` characters for tables. */
export function oneLine(value: unknown, max = Infinity): string {
  if (value === undefined) return "-";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? text.slice(0, max - 3) + "..." : text;
}

export function instanceTable(statuses: InstanceStatus[]): string {
  if (statuses.length === 0) return "no instances";
  const rows = statuses
    .slice()
    .sort((a, b) => a.createdAt - b.createdAt || a.instanceId.localeCompare(b.instanceId))
    .map((s) => [s.instanceId, s.name, s.status, timestamp(s.createdAt), timestamp(s.updatedAt), oneLine(s.customStatus, 40)]);
  return table(["INSTANCE", "NAME", "STATUS", "CREATED", "UPDATED", "CUSTOM STATUS"], rows);
}

/** `nwc show`: one field per line, multi-line values (JSON, stacks) indented under their label. */
export function instanceDetails(d: InstanceDetails, raiseHint: (event: string) => string): string {
  const fields: [string, string][] = [
    ["instance", d.instanceId],
    ["name", d.name],
    ["status", d.status],
    ...(d.version ? [["version", d.version] as [string, string]] : []),
    ["created", timestamp(d.createdAt)],
    ["updated", timestamp(d.updatedAt)],
  ];
  const waits = d.waits && describeWaits(d.waits);
  if (waits) fields.push(["waits for", waits]);
  if (d.waitingAt && d.waitingAt.length > 0) fields.push(["waiting at", d.waitingAt.join("\n")]);
  for (const event of d.waits?.events ?? []) fields.push(["raise with", raiseHint(event)]);
  fields.push(["input", JSON.stringify(d.input, null, 2) ?? "-"]);
  if (d.output !== undefined && d.output !== null) fields.push(["output", JSON.stringify(d.output, null, 2)]);
  if (d.error) fields.push(["error", [`${d.error.name}: ${d.error.message}`, ...stackLines(d.error)].join("\n")]);
  if (d.customStatus !== undefined) fields.push(["custom", JSON.stringify(d.customStatus, null, 2)]);
  if (d.parentInstanceId !== undefined) fields.push(["parent", d.parentInstanceId]);
  if (d.children && d.children.length > 0) fields.push(["children", d.children.map((c) => `${c.instanceId} (${c.name})`).join("\n")]);
  const width = Math.max(...fields.map(([label]) => label.length));
  const text = fields.map(([label, value]) => `${label.padEnd(width)}  ${value.split("\n").join("\n" + " ".repeat(width + 2))}`).join("\n");
  return d.history ? `${text}\n\n${historyLines(d.history).join("\n")}` : text;
}

/** The stack's frames (its first line repeats name and message). */
function stackLines(error: { stack?: string }): string[] {
  return (error.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l)).map((l) => l.trim());
}

/** `nwc raise <id> approval '<json>' --dir .nwc`: the command that satisfies a wait, for the user to copy. */
export function raiseCommand(instanceId: string, event: string, flag: string): string {
  return `nwc raise ${shellWord(instanceId)} ${shellWord(event)} '<json>' ${flag}`;
}

/** Quoted for a POSIX shell only when it needs to be. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
