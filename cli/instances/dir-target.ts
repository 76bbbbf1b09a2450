/**
 * The instance commands against a store directory (`--dir`, default `.nwc`):
 * a client from `connect({ backend: { kind: "local", dir } })`. It reads
 * what hosts committed (a host may be running in another process, or none);
 * raise, terminate, purge and signal are messages appended to the partition's
 * channel, applied by whichever host runs the partition, now or when one
 * next starts on the directory.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { connect, type Client, type InstanceStatus, type ListFilter } from "../../runtime/client.ts";
import { childrenOf } from "../../runtime/history-reader.ts";
import { describeState, positionOf, readInstanceRecord, readPendingWaits } from "../../runtime/instance-waits.ts";
import type { App } from "../../runtime/partitions/app.ts";
import type { VersionReport } from "../../runtime/versions/report.ts";
import type { UpgradeReportLine } from "../../runtime/upgrade/report.ts";
import { notFound, NotFoundError, RefusedError, type InstanceDetails, type InstanceTarget } from "./target.ts";

/** Partitions of a store directory: one `partitions/p<N>` folder each (runtime/backends/local). */
export function partitionCountOf(dir: string): number {
  const root = join(dir, "partitions");
  const count = existsSync(root) ? readdirSync(root).filter((n) => /^p\d+$/.test(n)).length : 0;
  if (count === 0) throw new NotFoundError(`no nwc store in ${dir} (no host has used it); pass the directory of nwc run or nwc dev with --dir`);
  return count;
}

export async function openDirTarget(dir: string, app?: App): Promise<InstanceTarget> {
  const partitions = partitionCountOf(dir);
  const client = await connect({ backend: { kind: "local", dir }, partitions });
  return new DirTarget(dir, client, app);
}

class DirTarget implements InstanceTarget {
  readonly flag: string;

  constructor(readonly label: string, private readonly client: Client, private readonly app: App | undefined) {
    this.flag = `--dir ${label}`;
  }

  list(filter: ListFilter): Promise<InstanceStatus[]> {
    return this.client.list(filter);
  }

  status(instanceId: string): Promise<InstanceStatus | undefined> {
    return this.client.status(instanceId);
  }

  async show(instanceId: string): Promise<InstanceDetails | undefined> {
    const status = await this.client.status(instanceId);
    if (!status) return undefined;
    const { store } = this.client.backend;
    const history = await this.client.history(instanceId);
    const done = { ...status, children: childrenOf(history), history: history.steps };
    const rec = await readInstanceRecord(store, this.client.partitionCount, instanceId);
    if (!rec || rec.frame === null) return done;
    const machine = this.app?.machine(rec.name, rec.version);
    const position = positionOf(machine, rec);
    return {
      ...done,
      waits: await readPendingWaits(store, this.client.partitionCount, rec),
      ...(position ? { waitingAt: position.map((s) => describeState(s, machine?.graph)) } : {}),
    };
  }

  async raise(instanceId: string, event: string, data: unknown): Promise<void> {
    await this.known(instanceId, () => this.client.raise(instanceId, event, data));
  }

  async terminate(instanceId: string, reason: unknown): Promise<void> {
    await this.known(instanceId, () => this.client.terminate(instanceId, reason));
  }

  async purge(instanceId: string): Promise<void> {
    await this.known(instanceId, () => this.client.purge(instanceId));
  }

  readEntity(name: string, key: string): Promise<unknown> {
    return this.client.readEntity(name, key);
  }

  versions(): Promise<VersionReport[]> {
    return this.client.versions();
  }

  upgrade(orchestration: string, options: { dryRun: boolean; timeoutMs?: number }): Promise<UpgradeReportLine[]> {
    return this.client.upgrade({ name: orchestration, status: ["Pending", "Running"] }, { to: "latest", ...options });
  }

  signal(name: string, key: string, op: string, input: unknown): Promise<void> {
    return this.client.signal(name, key, op, input);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** The client's refusals in the CLI's terms. */
  private async known(instanceId: string, call: () => Promise<void>): Promise<void> {
    try {
      await call();
    } catch (error) {
      const name = (error as Error).name;
      if (name === "InstanceNotFoundError") throw notFound(instanceId, this);
      if (name === "InstanceNotFinishedError") throw new RefusedError((error as Error).message);
      throw error;
    }
  }
}
