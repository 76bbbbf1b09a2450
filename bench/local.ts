/**
 * The local backend under load: Hello5 throughput (N five-activity sequences
 * started at once on 4 partitions, files in a fresh temp dir), Hello3 latency
 * p50 sequentially, and what is left on disk afterwards (channel and commit-log
 * files), which shows trimming and rotation at work.
 * Run: `node --conditions=source --import tsx bench/local.ts [instances] [dir]`.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { activity } from "../runtime/api.ts";
import { createLocalBackend } from "../runtime/backends/local/index.ts";
import { startHost } from "../runtime/host.ts";
import { sequence } from "./runtime-machines.ts";

const PARTITIONS = 4;
const instances = Number(process.argv[2] ?? 2000);
const greet = activity("greet", async (name: string) => `Hello ${name}!`);
const hello5 = sequence("hello5", "greet", 5);
const hello3 = sequence("hello3", "greet", 3);

/** Every file under `dir` with its size. */
function files(dir: string): { path: string; bytes: number }[] {
  const out: { path: string; bytes: number }[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else out.push({ path: p, bytes: statSync(p).size });
  }
  return out;
}

const dir = mkdtempSync(join(process.argv[3] ?? tmpdir(), "nwc-bench-local-"));
try {
  const backend = await createLocalBackend({ dir }, PARTITIONS);
  const host = await startHost({ app: [greet, hello5, hello3], backend, partitions: PARTITIONS, log: () => undefined, partitionOptions: { checkpointEveryCommits: 100 } });
  const t0 = performance.now();
  const ids = await Promise.all(Array.from({ length: instances }, (_, i) => host.client.start(hello5, null, { instanceId: `h5-${i}` })));
  for (const id of ids) {
    const s = await host.client.wait(id, { timeoutMs: 300_000 });
    if (s.status !== "Completed") throw new Error(`${id}: ${s.status}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const lat: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    const id = await host.client.start(hello3, null, { instanceId: `h3-${i}` });
    await host.client.wait(id, { timeoutMs: 60_000 });
    lat.push(performance.now() - t);
  }
  lat.sort((a, b) => a - b);
  await host.stop();
  await backend.close();
  const all = files(dir);
  const sum = (f: { bytes: number }[]) => f.reduce((s, x) => s + x.bytes, 0);
  const channels = all.filter((f) => f.path.includes(`${join(dir, "channels")}`));
  const logs = all.filter((f) => f.path.endsWith(".seg"));
  console.log(`Hello5 x ${instances} on local, ${PARTITIONS} partitions: ${(instances / seconds).toFixed(0)} orch/s (${seconds.toFixed(2)} s)`);
  console.log(`Hello3 sequential latency: p50 ${lat[100]!.toFixed(2)} ms, p90 ${lat[180]!.toFixed(2)} ms`);
  console.log(`left on disk: channels ${channels.length} files ${(sum(channels) / 1024).toFixed(0)} KiB; commit logs ${logs.length} files ${(sum(logs) / 1024).toFixed(0)} KiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
