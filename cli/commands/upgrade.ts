/**
 * `nwc upgrade <orchestration> [--dry-run] [--timeout-ms N]`: move the waiting
 * instances of an orchestration to its latest version, where the compiler can
 * prove the move; one line per instance: upgraded, or kept with the reason.
 * With --dir a host must run on the directory (it applies the requests); with
 * --url the nwc dev server does. Exit code 1 if some instance was kept.
 */
import { runInstanceCommand, type InstanceCommand } from "../instances/command.ts";
import { UsageError } from "../instances/target.ts";
import type { UpgradeReportLine } from "../../runtime/upgrade/report.ts";

export const summary = "move waiting instances to the latest version (--dry-run: only say what would happen)";

const command: InstanceCommand = {
  name: "upgrade",
  usage: "<orchestration> [--dry-run] [--timeout-ms 60000]",
  options: { "dry-run": { type: "boolean" }, "timeout-ms": { type: "string" } },
  positionals: { min: 1, max: 1 },
  async run({ target, args: [name], values, json }) {
    const timeout = values["timeout-ms"];
    const timeoutMs = typeof timeout === "string" ? Number(timeout) : undefined;
    if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new UsageError(`--timeout-ms takes a positive number of milliseconds, got ${JSON.stringify(timeout)}`);
    const lines = await target.upgrade(name!, { dryRun: values["dry-run"] === true, ...(timeoutMs ? { timeoutMs } : {}) });
    if (json) console.log(JSON.stringify(lines, null, 2));
    else console.log(lines.length === 0 ? `no waiting instance of ${name} in ${target.label}` : lines.map(lineText).join("\n"));
    return lines.some((l) => l.result === "kept" && l.reason !== ALREADY) ? 1 : 0;
  },
};

const ALREADY = "already on the latest version";

function lineText(l: UpgradeReportLine): string {
  if (l.result === "upgraded") {
    const moved = l.moves?.length ? ` (${l.moves.map((m) => `line ${m.fromLine} -> ${m.toLine}`).join(", ")})` : "";
    return `${l.instanceId}  ${l.dryRun ? "would upgrade" : "upgraded"}  ${l.from} -> ${l.to}${moved}`;
  }
  return `${l.instanceId}  kept on ${l.from || "its version"}: ${l.reason}`;
}

export const run = (args: string[]): Promise<number> => runInstanceCommand(command, args);
