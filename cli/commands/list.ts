/**
 * `nwc list [--status Running,Failed] [--name orch] [--since 2026-12-01T00:00:00Z|1h]`:
 * the instances of a store directory or a running nwc dev, oldest first.
 */
import { parseStatuses, parseTime } from "../instances/args.ts";
import { runInstanceCommand, type InstanceCommand } from "../instances/command.ts";
import { instanceTable, statusJson } from "../instances/format.ts";

export const summary = "list instances (filter by --status, --name, --since)";

const command: InstanceCommand = {
  name: "list",
  usage: "[--status Running,Failed] [--name orchestration] [--since 2026-12-01T00:00:00Z|1h]",
  options: { status: { type: "string" }, name: { type: "string" }, since: { type: "string" } },
  positionals: { min: 0, max: 0 },
  async run({ target, values, json }) {
    const statuses = await target.list({
      status: typeof values.status === "string" ? parseStatuses(values.status) : undefined,
      name: values.name as string | undefined,
      createdFrom: typeof values.since === "string" ? parseTime(values.since, "--since") : undefined,
    });
    console.log(json ? JSON.stringify(statuses.map(statusJson), null, 2) : instanceTable(statuses));
  },
};

export const run = (args: string[]): Promise<number> => runInstanceCommand(command, args);
