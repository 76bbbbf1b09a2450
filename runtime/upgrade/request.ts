/**
 * `client.upgrade(id | filter, { to: "latest", dryRun? })`: sends one
 * `upgradeInstance` message per instance to its partition, then reads back
 * the report line the partition recorded on the instance under this
 * request's id. The partition plans on the instance's frame as committed when
 * it applies the message, so an instance that moved on meanwhile is judged
 * where it is then.
 *
 * Invariant: bad arguments throw before anything is sent; every instance the
 * request names gets exactly one line (finished ones are reported, not sent).
 */
import type { InstanceStatusRecord, Json, PartitionStore } from "../backends/types.ts";
import type { InstanceStatus, ListFilter } from "../client.ts";
import { readCommittedObject } from "../inspect.ts";
import { sleep, type Clock } from "../partitions/clock.ts";
import { partitionOfInstance } from "../partitions/hash.ts";
import { instanceKey, type InstanceRecord } from "../partitions/state/instance.ts";
import { UPGRADE_EXT_KEY, type AppliedUpgrade, type UpgradeOptions, type UpgradeReportLine } from "./report.ts";

export interface UpgradeDeps {
  store: PartitionStore;
  partitionCount: number;
  clock: Clock;
  send(partition: number, body: Json): Promise<void>;
  list(filter: ListFilter): Promise<InstanceStatus[]>;
  readStatus(instanceId: string): Promise<InstanceStatusRecord | undefined>;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** Reading the records back: fast at first (a local host applies within milliseconds), then backing off. */
const POLL_FIRST_MS = 10;
const POLL_MAX_MS = 500;
const FINISHED = new Set(["Completed", "Failed", "Terminated"]);
let requests = 0;

export async function requestUpgrade(deps: UpgradeDeps, target: string | ListFilter, options: UpgradeOptions): Promise<UpgradeReportLine[]> {
  if (typeof options !== "object" || options === null || options.to !== "latest") {
    throw new TypeError(`upgrade: options.to must be "latest" (got ${JSON.stringify((options as UpgradeOptions | null)?.to)}), e.g. client.upgrade(id, { to: "latest" })`);
  }
  const dryRun = options.dryRun === true;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const statuses = await targets(deps, target);
  const request = `${deps.clock.now().toString(36)}-${(requests++).toString(36)}-${Math.floor(Math.random() * 2 ** 32).toString(36)}`;
  const lines = new Map<string, UpgradeReportLine>();
  const sent: Target[] = [];
  for (const s of statuses) {
    if (FINISHED.has(s.status)) {
      lines.set(s.instanceId, { instanceId: s.instanceId, name: s.name, result: "kept", dryRun, from: "", reason: `instance is not waiting at an await point (it is ${s.status})` });
      continue;
    }
    await deps.send(partitionOfInstance(s.instanceId, deps.partitionCount), { kind: "upgradeInstance", instanceId: s.instanceId, request, dryRun });
    sent.push(s);
  }
  const deadline = deps.clock.monotonic() + timeoutMs;
  let pollMs = POLL_FIRST_MS;
  for (let waiting = sent; waiting.length > 0;) {
    const still: Target[] = [];
    for (const s of waiting) {
      const rec = (await readCommittedObject(deps.store, partitionOfInstance(s.instanceId, deps.partitionCount), instanceKey(s.instanceId))) as InstanceRecord | undefined;
      const applied = rec?.ext?.[UPGRADE_EXT_KEY] as unknown as AppliedUpgrade | undefined;
      if (applied?.request === request) lines.set(s.instanceId, applied.line);
      else if (!rec) lines.set(s.instanceId, { instanceId: s.instanceId, name: s.name, result: "kept", dryRun, from: "", reason: "instance no longer exists (purged)" });
      else still.push(s);
    }
    waiting = still;
    if (waiting.length === 0) break;
    if (deps.clock.monotonic() >= deadline) {
      for (const s of waiting) {
        lines.set(s.instanceId, {
          instanceId: s.instanceId, name: s.name, result: "kept", dryRun, from: "",
          reason: `no host applied the request within ${timeoutMs} ms (is a host running its partition?); the request stays queued and applies when one runs`,
        });
      }
      break;
    }
    await sleep(deps.clock, pollMs);
    pollMs = Math.min(POLL_MAX_MS, pollMs * 2);
  }
  return statuses.map((s) => lines.get(s.instanceId)!);
}

type Target = Pick<InstanceStatus, "instanceId" | "name" | "status">;

async function targets(deps: UpgradeDeps, target: string | ListFilter): Promise<Target[]> {
  if (typeof target === "string") {
    if (target.length === 0) throw new TypeError("upgrade: the instance id is empty; pass an id or a filter such as { name: \"order\" }");
    const s = await deps.readStatus(target);
    if (!s) throw new TypeError(`upgrade: no instance with id ${JSON.stringify(target)} exists; check the id (nwc list)`);
    return [{ instanceId: target, name: s.name, status: s.status }];
  }
  if (typeof target !== "object" || target === null) throw new TypeError("upgrade: the first argument must be an instance id or a filter such as { name: \"order\" }");
  return deps.list({ ...target });
}
