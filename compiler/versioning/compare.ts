/**
 * Compares the await points of two builds of one orchestration, for
 * `nwc build --against`: each await point of the previous build is unchanged
 * (same key, same line), moved (same key, another line) or removed (no await
 * of that key); await points only the new build has are added.
 */
import type { UpgradeManifest } from "../../runtime/machine.ts";

export interface AwaitChange {
  /** The await key without its ordinal: `order | for (...) | await ctx.call(charge, item)`. */
  await: string;
  kind: "unchanged" | "moved" | "removed" | "added";
  fromLine?: number;
  toLine?: number;
}

export function compareAwaits(previous: UpgradeManifest, next: UpgradeManifest): AwaitChange[] {
  const out: AwaitChange[] = [];
  const nextByKey = new Map(next.awaits.map((a) => [a.key, a]));
  const seen = new Set<string>();
  const plain = (key: string) => key.replace(/ #\d+$/, "");
  for (const a of previous.awaits) {
    const now = nextByKey.get(a.key);
    seen.add(a.key);
    if (!now) out.push({ await: plain(a.key), kind: "removed", fromLine: a.line });
    else out.push({ await: plain(a.key), kind: now.line === a.line ? "unchanged" : "moved", fromLine: a.line, toLine: now.line });
  }
  for (const a of next.awaits) if (!seen.has(a.key)) out.push({ await: plain(a.key), kind: "added", toLine: a.line });
  return out;
}
