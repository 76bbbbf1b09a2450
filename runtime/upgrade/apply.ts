/**
 * Applies upgrades to instance records inside a partition batch: the request
 * of a client (`client.upgrade`, `nwc upgrade`) and the automatic one of an
 * orchestration given with `upgrade: "auto"`. The frame change and the new
 * version go into the batch's one commit, so after a crash an instance is
 * either wholly old or wholly new.
 *
 * Invariant: an instance is changed only when planUpgrade carried its whole
 * frame; otherwise it is left exactly as it was (a dry run changes nothing but
 * the report it records).
 */
import type { Json } from "../backends/types.ts";
import { decode, encodeFrame, errorInfo } from "../codec.ts";
import type { Machine } from "../machine.ts";
import type { Batch } from "../partitions/batch.ts";
import { unsuspend } from "../partitions/lifecycle.ts";
import { encodedFrameOf, isFinished, setEncodedFrame, type InstanceRecord } from "../partitions/state/instance.ts";
import { planUpgrade } from "./plan.ts";
import { UPGRADE_EXT_KEY, type AppliedUpgrade, type UpgradeReportLine } from "./report.ts";

/** Plans (and unless `dryRun`, applies) the move of `rec` to the latest version this host has. */
export function upgradeInstance(batch: Batch, rec: InstanceRecord, dryRun: boolean): UpgradeReportLine {
  const from = rec.version;
  const line = (result: "upgraded" | "kept", extra: Partial<UpgradeReportLine>): UpgradeReportLine =>
    ({ instanceId: rec.instanceId, name: rec.name, result, dryRun, from, ...extra });
  if (isFinished(rec.status)) return line("kept", { reason: `instance is not waiting at an await point (it is ${rec.status})` });
  const latest = batch.app.latest.get(rec.name);
  if (!latest) return line("kept", { reason: `the host that applied the request has no orchestration "${rec.name}"` });
  if (latest.version === rec.version) return line("kept", { to: latest.version, reason: "already on the latest version" });
  if (rec.frame === null) return line("kept", { reason: "instance has not started yet (it starts on the version the host gives it)" });
  const old = batch.app.machine(rec.name, rec.version);
  if (!old) {
    return line("kept", { reason: `the host that applied the request lacks its version ${rec.version}; run a host whose app includes that build next to the new one` });
  }
  const result = tryPlan(old, latest, rec);
  if (!result.ok) return line("kept", { to: latest.version, reason: result.reason });
  if (!dryRun) {
    setEncodedFrame(rec, result.frame);
    rec.version = latest.version;
    unsuspend(batch, rec);
    batch.touchInstance(rec);
    // Completions that arrived while it was suspended are stepped on the new code.
    if (rec.inbox.length > 0) batch.scheduleStep(rec.instanceId);
  }
  return line("upgraded", { to: latest.version, ...(result.moves.length ? { moves: result.moves } : {}) });
}

function tryPlan(old: Machine, latest: Machine, rec: InstanceRecord): { ok: true; frame: Json; moves: UpgradeReportLine["moves"] & object } | { ok: false; reason: string } {
  try {
    const plan = planUpgrade(old, latest, decode(encodedFrameOf(rec)));
    if (!plan.ok) return plan;
    return { ok: true, frame: encodeFrame(plan.frame), moves: plan.moves };
  } catch (error) {
    return { ok: false, reason: `its frame could not be translated: ${errorInfo(error).message}` };
  }
}

/** Records the line of a client's request on the instance, where the client reads it back. */
export function recordUpgrade(batch: Batch, rec: InstanceRecord, request: string, line: UpgradeReportLine): void {
  rec.ext[UPGRADE_EXT_KEY] = { request, line } satisfies AppliedUpgrade as unknown as Json;
  batch.touchInstance(rec, false);
}

/**
 * `upgrade: "auto"`: before an instance of an older version steps, move it to
 * the latest one if it can be carried. A refusal is logged once per reason and
 * the instance steps on its own version.
 */
export function autoUpgrade(batch: Batch, rec: InstanceRecord): void {
  if (!batch.app.autoUpgrade.has(rec.name) || rec.frame === null) return;
  const latest = batch.app.latest.get(rec.name);
  if (!latest || latest.version === rec.version || !batch.app.machine(rec.name, rec.version)) return;
  const line = upgradeInstance(batch, rec, false);
  const last = (rec.ext[UPGRADE_EXT_KEY] as unknown as AppliedUpgrade | undefined)?.line;
  if (line.result === "kept" && last?.reason !== line.reason) batch.env.log("warn", `instance ${rec.instanceId}: stays on version ${line.from} (upgrade: "auto"): ${line.reason}`);
  if (line.result === "upgraded" || last?.reason !== line.reason) recordUpgrade(batch, rec, "auto", line);
}
