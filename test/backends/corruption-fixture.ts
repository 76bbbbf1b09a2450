// A finished run on the local backend for the corruption tests, and a way to read a store back in full.
// The run uses several partitions, small segments and frequent checkpoints, so every kind of file exists:
// commit-log segments, checkpoint.json, deltas, manifests, lease files, channel segments.
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { activity, entity } from "../../runtime/api.ts";
import { createLocalBackend } from "../../runtime/backends/local/index.ts";
import type { Json } from "../../runtime/backends/types.ts";
import { startHost } from "../../runtime/host.ts";
import { genOrchestration } from "../runtime/machines/generator-machine.ts";

export const PARTITIONS = 3;
export const SEGMENT_BYTES = 1536;
export const partitionOptions = { checkpointEveryCommits: 2 };

export const double = activity("double", async (n: number) => n * 2);
export const account = entity("Account", {
  init: () => ({ total: 0, adds: 0 }),
  ops: {
    add: (s: { total: number; adds: number }, n: number) => {
      s.total += n;
      s.adds += 1;
      return s.total;
    },
  },
});
export const shop = genOrchestration("shop", function* (ctx, n: number) {
  const a: number = yield ctx.call(double, n);
  const b: number = yield ctx.call(double, a);
  const total: number = yield ctx.entity(account, `acct-${n % 4}`, "add", b);
  return { n, b, total: total >= b };
});
export const app = [double, account, shop];
export const ACCOUNTS = ["acct-0", "acct-1", "acct-2", "acct-3"];

/** Files of one kind under a store directory. */
export function filesOf(dir: string): Record<string, string[]> {
  const kinds: Record<string, string[]> = { segment: [], checkpoint: [], delta: [], manifest: [], lease: [], channel: [] };
  for (let p = 0; p < PARTITIONS; p++) {
    const pdir = join(dir, "partitions", `p${p}`);
    for (const n of readdirSync(pdir).sort()) {
      const path = join(pdir, n);
      if (n.endsWith(".seg")) kinds.segment!.push(path);
      else if (n === "checkpoint.json") kinds.checkpoint!.push(path);
      else if (n.startsWith("delta-")) kinds.delta!.push(path);
      else if (n === "manifest.json") kinds.manifest!.push(path);
      else if (n === "lease.json") kinds.lease!.push(path);
    }
    const cdir = join(dir, "channels", `p${p}`);
    for (const n of readdirSync(cdir).sort()) if (n.endsWith(".log") && statSync(join(cdir, n)).size > 0) kinds.channel!.push(join(cdir, n));
  }
  return kinds;
}

/** Runs waves of `shop` until every file kind exists (some partition has a snapshot and two deltas, several segments). Returns the instance ids. */
export async function finishedRun(): Promise<{ dir: string; ids: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "nwc-corrupt-"));
  const backend = await createLocalBackend({ dir, segmentBytes: SEGMENT_BYTES }, PARTITIONS);
  const host = await startHost({ app, backend, partitions: PARTITIONS, partitionOptions, log: () => undefined });
  const ids: string[] = [];
  for (let wave = 0; wave < 40; wave++) {
    const started = await Promise.all([0, 1, 2, 3].map((i) => host.client.start(shop, wave * 4 + i, { instanceId: `shop-${wave}-${i}` })));
    for (const id of started) if ((await host.client.wait(id, { timeoutMs: 30_000 })).status !== "Completed") throw new Error(`${id} did not complete`);
    ids.push(...started);
    const files = filesOf(dir);
    const richPartition = [...Array(PARTITIONS).keys()].some((p) => {
      const mine = (list: string[]) => list.filter((f) => f.includes(`/p${p}/`)).length;
      return mine(files.checkpoint!) === 1 && mine(files.delta!) >= 2;
    });
    if (wave >= 6 && richPartition && files.segment!.length > PARTITIONS && files.channel!.length > PARTITIONS) break;
  }
  await host.stop();
  await backend.close();
  return { dir, ids };
}

/** The channel end `lease.json` of `partition` records ("<segment>:<offset>"). */
export function recordedChannelEnd(dir: string, partition: number): string | undefined {
  return /"channelEnd":"(\d+:\d+)"/.exec(readFileSync(join(dir, "partitions", `p${partition}`, "lease.json"), "utf8"))?.[1];
}

/** The channel's true end: its head segment and that file's size. */
export function channelHeadEnd(dir: string, partition: number): string {
  const cdir = join(dir, "channels", `p${partition}`);
  const head = readdirSync(cdir).filter((n) => /^\d{12}\.log$/.test(n)).sort().pop()!;
  return `${Number(head.slice(0, 12))}:${statSync(join(cdir, head)).size}`;
}

export function copyStore(from: string): string {
  const to = mkdtempSync(join(tmpdir(), "nwc-corrupt-work-"));
  cpSync(from, to, { recursive: true });
  return to;
}

/** Everything a store holds, as recovery sees it: per partition the objects after replaying the log, the commit positions, and the status index. */
export interface StoreView {
  objects: Record<string, Json>[];
  positions: number[][];
  statuses: Record<string, { status: string; output: unknown }>;
  /** Channel records after each partition's consumed position (what is yet to be read). */
  unread: number[];
}

/**
 * Opens the store as a host would (take every partition: files checked, a torn tail cut) and reads it back.
 * The leases are kept (owner "reader", so the next read renews them): giving them back costs fsyncs, and a
 * host started on the same directory in this process would then wait for them.
 */
export async function readStore(dir: string): Promise<StoreView> {
  // tornAfterMs 0: a short last frame of a channel head is decided (skipped as torn, or refused as damage) on the
  // read after the one that met it, as a host decides after its wait, instead of being left as a write in progress.
  const b = await createLocalBackend({ dir, segmentBytes: SEGMENT_BYTES, tornAfterMs: 0 }, PARTITIONS);
  try {
    const view: StoreView = { objects: [], positions: [], statuses: {}, unread: [] };
    for (let p = 0; p < PARTITIONS; p++) {
      const lease = await b.store.acquireLease(p, "reader", 60_000);
      if (!lease) throw new Error(`partition ${p}: lease not free`);
      const checkpoint = await b.store.readCheckpointState(p);
      const objects: Record<string, Json> = {};
      for (const key of await b.store.listObjectKeys(p, "")) objects[key] = (await b.store.readObject(p, key))!;
      const commits = await b.store.readCommits(p, checkpoint.logPosition);
      let input = checkpoint.inputPosition;
      for (const c of commits) {
        for (const u of c.updates) u.value === null ? delete objects[u.key] : (objects[u.key] = u.value);
        if (c.inputPosition !== undefined) input = c.inputPosition;
      }
      view.objects.push(objects);
      view.positions.push([checkpoint.logPosition, ...commits.map((c) => c.position)]);
      let unread = 0;
      for (let after = input, empty = 0; ; ) {
        const got = await b.channels.read(p, after, { maxRecords: 500 });
        if (got.length === 0 && ++empty < 2) continue; // once more: see tornAfterMs above
        if (got.length === 0) break;
        empty = 0;
        unread += got.length;
        after = got[got.length - 1]!.position;
      }
      view.unread.push(unread);
    }
    for (const s of await b.store.listStatus({})) view.statuses[s.instanceId] = { status: s.status, output: s.output };
    return view;
  } finally {
    await b.close();
  }
}


/** Content hashes of every data file (lease.json and the lock change with each open, so they are left out). */
export function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const path = join(d, n);
      if (statSync(path).isDirectory()) walk(path);
      else if (n !== "lease.json" && n !== "lease.lock") out[path.slice(dir.length)] = createHash("sha1").update(readFileSync(path)).digest("hex");
    }
  };
  walk(dir);
  return out;
}
