/**
 * What `nwc versions` and `client.versions()` show: each stored version with
 * the instances that still use it, counted from the status index by state.
 */
import type { InstanceStatusRecord, PartitionStore } from "../backends/types.ts";
import { versionKey, type StoredVersionInfo, type VersionStore } from "./store.ts";

/** The states in which an instance can still step, so its version must stay stored. */
export const LIVE_STATUSES = ["Pending", "Running", "Suspended"] as const satisfies InstanceStatusRecord["status"][];

export interface VersionReport extends StoredVersionInfo {
  /** Instances on this version, by state (only states that can still step). */
  instances: { Pending: number; Running: number; Suspended: number };
}

export interface LiveUse {
  /** name@version -> instances by state. */
  counts: Map<string, VersionReport["instances"]>;
  /** Names with a live instance whose status row does not say its version (written before versions were recorded). */
  unknown: Set<string>;
}

export async function liveUse(store: PartitionStore): Promise<LiveUse> {
  const rows = await store.listStatus({ status: [...LIVE_STATUSES] });
  const counts = new Map<string, VersionReport["instances"]>();
  const unknown = new Set<string>();
  for (const row of rows) {
    if (row.version === undefined) {
      unknown.add(row.name);
      continue;
    }
    const key = versionKey(row.name, row.version);
    const c = counts.get(key) ?? { Pending: 0, Running: 0, Suspended: 0 };
    c[row.status as keyof VersionReport["instances"]] += 1;
    counts.set(key, c);
  }
  return { counts, unknown };
}

export async function versionReport(store: PartitionStore, versions: VersionStore): Promise<VersionReport[]> {
  const [stored, use] = await Promise.all([versions.list(), liveUse(store)]);
  return stored.map((v) => ({ ...v, instances: use.counts.get(versionKey(v.name, v.version)) ?? { Pending: 0, Running: 0, Suspended: 0 } }));
}
