/**
 * `nwc purge <id>` and `nwc purge --status Completed --before <date>`: delete
 * finished instances' state (record and status row). An instance still
 * Pending or Running is refused. The purge is a message to the instance's
 * partition: this waits (--wait ms) until the host running it has applied it,
 * and says so when none did (it applies when a host next runs on the store).
 */
import { parseStatuses, parseTime } from "../instances/args.ts";
import { runInstanceCommand, type InstanceCommand } from "../instances/command.ts";
import { UsageError, type InstanceTarget } from "../instances/target.ts";

export const summary = "delete finished instances' state (one id, or --status/--before)";

const FINISHED = ["Completed", "Failed", "Terminated"];
const DEFAULT_WAIT_MS = 5000;
const POLL_MS = 50;

const command: InstanceCommand = {
  name: "purge",
  usage: "<id> | --status Completed,Failed,Terminated --before <date|1h> [--wait ms]",
  options: { status: { type: "string" }, before: { type: "string" }, wait: { type: "string" } },
  positionals: { min: 0, max: 1 },
  async run({ target, args: [id], values, json }) {
    const waitMs = values.wait !== undefined ? Number(values.wait) : DEFAULT_WAIT_MS;
    if (!(waitMs >= 0)) throw new UsageError(`--wait must be a number of milliseconds >= 0, got ${values.wait}`);
    const ids = id !== undefined ? [id] : await selected(target, values);
    for (const one of ids) await target.purge(one);
    const queued = await waitUntilGone(target, ids, waitMs);
    const purged = ids.filter((x) => !queued.includes(x));
    if (json) console.log(JSON.stringify({ purged, queued }, null, 2));
    else {
      if (ids.length === 0) console.log("nothing to purge");
      for (const x of purged) console.log(`purged ${x}`);
      if (queued.length > 0) {
        console.log(`queued in ${target.label}, not applied within ${waitMs} ms (no host running on it?); a host applies it when it runs: ${queued.join(", ")}`);
      }
    }
  },
};

/** `--status` (finished ones only; default all three) and `--before` (finished before: its last update). */
async function selected(target: InstanceTarget, values: Record<string, string | boolean | undefined>): Promise<string[]> {
  if (values.status === undefined && values.before === undefined) throw new UsageError("give an instance id, or select with --status and/or --before");
  const statuses = typeof values.status === "string" ? parseStatuses(values.status) : FINISHED;
  const unfinished = statuses.filter((s) => !FINISHED.includes(s));
  if (unfinished.length > 0) throw new UsageError(`--status ${unfinished.join(",")}: only finished instances (Completed, Failed, Terminated) can be purged`);
  const before = typeof values.before === "string" ? parseTime(values.before, "--before") : Infinity;
  const list = await target.list({ status: statuses as never });
  return list.filter((s) => s.updatedAt < before).map((s) => s.instanceId);
}

/** The ids still present after `waitMs`. */
async function waitUntilGone(target: InstanceTarget, ids: string[], waitMs: number): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  let left = ids;
  for (;;) {
    const still: string[] = [];
    for (const x of left) if (await target.status(x)) still.push(x);
    left = still;
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export const run = (args: string[]): Promise<number> => runInstanceCommand(command, args);
