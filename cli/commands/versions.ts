/**
 * `nwc versions`: the machine versions stored with the backend (a store
 * directory or a running nwc dev), each with the instances that still use it.
 * A version nothing uses is deleted by the next host that runs (docs/runtime.md, "Versions").
 */
import { runInstanceCommand, type InstanceCommand } from "../instances/command.ts";
import { table, timestamp } from "../instances/format.ts";
import type { VersionReport } from "../../runtime/versions/report.ts";

export const summary = "list the stored machine versions and the instances on each";

function versionTable(versions: VersionReport[]): string {
  if (versions.length === 0) return "no stored versions";
  return table(
    ["NAME", "VERSION", "STORED", "PENDING", "RUNNING", "SUSPENDED"],
    versions.map((v) => [v.name, v.version, timestamp(v.storedAt), String(v.instances.Pending), String(v.instances.Running), String(v.instances.Suspended)]),
  );
}

const command: InstanceCommand = {
  name: "versions",
  usage: "",
  positionals: { min: 0, max: 0 },
  async run({ target, json }) {
    const versions = await target.versions();
    console.log(json ? JSON.stringify(versions, null, 2) : versionTable(versions));
  },
};

export const run = (args: string[]): Promise<number> => runInstanceCommand(command, args);
