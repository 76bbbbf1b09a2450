/**
 * `nwc build --against <dir>`: what the new build does to what came before.
 * A previous build directory gives the machines it had (the
 * `*.machines.json` files nwc build writes next to its output); a store
 * directory gives the instances waiting, with the version each runs and where
 * it waits. For each orchestration the report lists the await points
 * unchanged, moved, removed and added (against a previous build), the
 * versions in use with their instance counts (against a store), and which of
 * those instances an upgrade to the new build would carry or strand
 * (runtime/upgrade/plan.ts, with the manifests of every build given).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { compareAwaits, type AwaitChange } from "../../compiler/versioning/compare.ts";
import { connect } from "../../runtime/client.ts";
import { decode } from "../../runtime/codec.ts";
import "../../runtime/engine/index.ts"; // the engine's frame records and host values, which decoding a frame needs
import { readInstanceRecord } from "../../runtime/instance-waits.ts";
import { encodedFrameOf } from "../../runtime/partitions/state/instance.ts";
import type { Machine, UpgradeManifest } from "../../runtime/machine.ts";
import { planUpgrade } from "../../runtime/upgrade/plan.ts";
import { partitionCountOf } from "../instances/dir-target.ts";

export interface BuiltMachine {
  name: string;
  version: string;
  upgrade?: UpgradeManifest;
}

export interface OrchestrationReport {
  name: string;
  version: string;
  /** Per previous build given, its version and the await changes. */
  previous: { version: string; changes: AwaitChange[] }[];
  /** Waiting instances by version (from a store). */
  inUse: { version: string; instances: number; waitingAt: Record<string, number>; carried: number; stranded: { instanceId: string; reason: string }[] }[];
}

/** Machines of a previous build directory, from its `*.machines.json` files. */
export function machinesOfBuild(dir: string): BuiltMachine[] {
  const out: BuiltMachine[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      if (name === "node_modules") continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".machines.json")) out.push(...(JSON.parse(readFileSync(p, "utf8")) as BuiltMachine[]));
    }
  };
  walk(dir);
  return out;
}

export function isStoreDir(dir: string): boolean {
  return existsSync(join(dir, "partitions"));
}

export async function buildReport(current: BuiltMachine[], againstDirs: string[]): Promise<OrchestrationReport[]> {
  const builds = againstDirs.filter((d) => !isStoreDir(d)).map(machinesOfBuild);
  const stores = againstDirs.filter(isStoreDir);
  const known = new Map<string, BuiltMachine>();
  for (const m of [...builds.flat(), ...current]) known.set(`${m.name}@${m.version}`, m);
  const reports: OrchestrationReport[] = [];
  for (const m of current) {
    const report: OrchestrationReport = { name: m.name, version: m.version, previous: [], inUse: [] };
    for (const b of builds) {
      const prev = b.find((x) => x.name === m.name);
      if (prev?.upgrade && m.upgrade) report.previous.push({ version: prev.version, changes: compareAwaits(prev.upgrade, m.upgrade) });
    }
    for (const dir of stores) await addStore(report, m, dir, known);
    reports.push(report);
  }
  return reports;
}

async function addStore(report: OrchestrationReport, m: BuiltMachine, dir: string, known: Map<string, BuiltMachine>): Promise<void> {
  const partitions = partitionCountOf(dir);
  const client = await connect({ backend: { kind: "local", dir }, partitions });
  try {
    for (const s of await client.list({ name: m.name, status: ["Pending", "Running"] })) {
      const rec = await readInstanceRecord(client.backend.store, partitions, s.instanceId);
      if (!rec || rec.frame === null) continue;
      let use = report.inUse.find((u) => u.version === rec.version);
      if (!use) report.inUse.push((use = { version: rec.version, instances: 0, waitingAt: {}, carried: 0, stranded: [] }));
      use.instances++;
      const from = known.get(`${m.name}@${rec.version}`);
      let frame: unknown;
      try {
        frame = decode(encodedFrameOf(rec));
      } catch (error) {
        use.stranded.push({ instanceId: rec.instanceId, reason: `its frame could not be read: ${(error as Error).message}` });
        continue;
      }
      for (const at of waitingAt(frame, from?.upgrade)) use.waitingAt[at] = (use.waitingAt[at] ?? 0) + 1;
      if (rec.version === m.version) continue;
      const reason = strandReason(rec.version, from, m, frame);
      if (reason) use.stranded.push({ instanceId: rec.instanceId, reason });
      else use.carried++;
    }
  } finally {
    await client.close();
  }
}

/** Where a frame waits: await keys when the version's manifest is known, else state ids. */
function waitingAt(frame: unknown, manifest: UpgradeManifest | undefined): string[] {
  const branches = (frame as { branches?: Record<string, { fn: string; g: { label: number } }> }).branches ?? {};
  return Object.values(branches).map((b) => {
    const index = Number(b.fn.slice(b.fn.indexOf("#") + 1));
    const a = manifest?.awaits.find((x) => x.fn === index && x.resume === b.g.label);
    return a ? `${a.key.replace(/ #\d+$/, "")} (line ${a.line})` : `state ${index}:${b.g.label}`;
  });
}

function strandReason(version: string, from: BuiltMachine | undefined, to: BuiltMachine, frame: unknown): string | undefined {
  if (!from) return `its version ${version} is in no build given (add the build it started on with another --against)`;
  // planUpgrade reads only the name, version and manifest of the two machines.
  const plan = planUpgrade(from as unknown as Machine, to as unknown as Machine, frame);
  return plan.ok ? undefined : plan.reason;
}

export function reportText(reports: OrchestrationReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`${r.name} (version ${r.version})`);
    for (const p of r.previous) {
      const count = (k: AwaitChange["kind"]) => p.changes.filter((c) => c.kind === k).length;
      lines.push(`  against version ${p.version}: ${count("unchanged")} await points unchanged, ${count("moved")} moved, ${count("removed")} removed, ${count("added")} added`);
      for (const c of p.changes) {
        if (c.kind === "moved") lines.push(`    moved    line ${c.fromLine} -> ${c.toLine}  ${c.await}`);
        if (c.kind === "removed") lines.push(`    removed  line ${c.fromLine}  ${c.await}`);
        if (c.kind === "added") lines.push(`    added    line ${c.toLine}  ${c.await}`);
      }
    }
    for (const u of r.inUse) {
      const current = u.version === r.version;
      lines.push(`  in use: version ${u.version}${current ? " (this build)" : ""}: ${u.instances} waiting instance${u.instances === 1 ? "" : "s"}` +
        (current ? "" : `, ${u.carried} an upgrade carries, ${u.stranded.length} stranded`));
      for (const [at, n] of Object.entries(u.waitingAt)) lines.push(`    ${String(n).padStart(5)} at ${at}`);
      for (const s of u.stranded) lines.push(`    stranded ${s.instanceId}: ${s.reason}`);
    }
  }
  return lines.join("\n");
}

export function strandedCount(reports: OrchestrationReport[]): number {
  return reports.reduce((n, r) => n + r.inUse.reduce((k, u) => k + u.stranded.length, 0), 0);
}
