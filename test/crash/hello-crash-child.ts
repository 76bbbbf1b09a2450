/**
 * Child process of crash.test.ts: a host on the local backend in <dir>
 * starts every hello3 instance (idempotent per instance id, so each
 * incarnation after a SIGKILL asks again), waits for all, and writes
 * `result.json` with every instance's status. Every incarnation uses the same
 * host id, so it takes its killed predecessor's leases back at once.
 *
 * Usage: node --conditions=source --import tsx hello-crash-child.ts <dir> <instances>
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileOnLoad } from "../entities/harness.ts";

const [dir, countText] = process.argv.slice(2);
const count = Number(countText);
if (!dir || !(count >= 1)) throw new Error("usage: hello-crash-child.ts <dir> <instances>");
/** Starts and waits in flight at once: enough to keep 4 partitions busy, few enough not to flood one process. */
const CONCURRENCY = 200;
/**
 * Checkpoint every 40 commits (default 500): a run makes a few hundred commits
 * per partition, so kills land during checkpoint writes, delta compaction and
 * log trimming too, not only during commits.
 */
const CHECKPOINT_EVERY_COMMITS = 40;
/** One instance should finish in well under this even on a loaded 2-core machine after a restart. */
const WAIT_TIMEOUT_MS = 120_000;

const logFile = process.env.NWC_CRASH_LOG;
if (!logFile) throw new Error("set NWC_CRASH_LOG to the activity log file");
(globalThis as { nwcCrashRecord?: (line: string) => void }).nwcCrashRecord = (line) => appendFileSync(logFile, `${line}\n`);
if (!(await compileOnLoad())) throw new Error("this build has no compiler");
const app = await import("./hello-app.ts");
const { startHost } = await import("../../runtime/host.ts");
/**
 * Segments of 8 KiB (default 4 MiB) for channels and commit logs: a run
 * rotates and trims both many times, so kills land mid-rotation and mid-trim.
 */
const SEGMENT_BYTES = 8 * 1024;
const { createLocalBackend } = await import("../../runtime/backends/local/index.ts");
const backend = await createLocalBackend({ dir: join(dir, "store"), segmentBytes: SEGMENT_BYTES }, 4);
const host = await startHost({ app: [app], backend, partitions: 4, partitionOptions: { checkpointEveryCommits: CHECKPOINT_EVERY_COMMITS }, hostId: "crash-host", log: (level, m) => level === "error" && console.error(m) });
process.stdout.write("READY\n");
const ids = Array.from({ length: count }, (_, i) => `hello-${i}`);
async function each(fn: (id: string) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < ids.length) await fn(ids[next++]!);
  }));
}
await each(async (id) => void (await host.client.start(app.hello3 as any, id, { instanceId: id })));
process.stdout.write("STARTED\n");
const results: Record<string, unknown> = {};
await each(async (id) => {
  const s = await host.client.wait(id, { timeoutMs: WAIT_TIMEOUT_MS });
  results[id] = { status: s.status, output: s.output, error: s.error };
});
writeFileSync(join(dir, "result.json"), JSON.stringify(results));
process.stdout.write("DONE\n");
await host.stop();
process.exit(0);
