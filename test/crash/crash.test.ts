/**
 * Crash test of the local backend under the real host: a child process runs
 * 2,000 hello3 orchestrations (NWC_CRASH_INSTANCES) and is killed with SIGKILL
 * at seeded random moments 20 times (NWC_CRASH_KILLS), restarted each time;
 * a last incarnation runs to the end. Then every instance must be Completed
 * once with the right output, and every activity step must have run (at least
 * once: re-executions after a kill are counted and reported).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { seeded } from "../entities/harness.ts";

const CHILD = fileURLToPath(new URL("./hello-crash-child.ts", import.meta.url));
/** The required figures; lower them by env on a slow machine. */
const KILLS = Number(process.env.NWC_CRASH_KILLS ?? 20);
const INSTANCES = Number(process.env.NWC_CRASH_INSTANCES ?? 2000);
const SEED = Number(process.env.NWC_CRASH_SEED ?? 7);
/** A child that neither finishes nor is killed within this long is hung, not slow. */
const CHILD_TIMEOUT_MS = 150_000;
/**
 * Kill window after READY. An uninterrupted run of 2,000 instances takes about
 * 1.1 s here (READY to DONE), and an incarnation after the workload is done
 * (idempotent starts, waits that return at once) about 0.2 s; kills up to
 * 300 ms land in starting, running, completing and recovering, and most
 * incarnations after the workload is done are still killed, so the loop below
 * does not run out of incarnations on a fast machine.
 */
const MIN_KILL_MS = 10, MAX_KILL_MS = 300;

function runChild(dir: string, logFile: string, killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", CHILD, dir, String(INSTANCES)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NWC_CRASH_LOG: logFile },
    });
    let output = "";
    let timer: NodeJS.Timeout | undefined;
    const hang = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
    child.stdout.on("data", (d) => {
      output += d;
      if (killAfterMs !== undefined && timer === undefined && output.includes("READY")) timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    });
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code, signal) => {
      clearTimeout(hang);
      if (timer) clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

test(`SIGKILL a local host ${KILLS} times during ${INSTANCES} hello3 orchestrations: each completes once, right output`, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nwc-crash-"));
  const logFile = join(dir, "activities.log");
  const random = seeded(SEED);
  try {
    let killed = 0;
    let killedBeforeDone = 0;
    // Until KILLS incarnations died by SIGKILL (one that finished before its kill does not count); bounded so a workload that always finishes first fails instead of looping.
    const maxIncarnations = 2 * KILLS + 5;
    for (let i = 0; killed < KILLS; i++) {
      assert.ok(i < maxIncarnations, `only ${killed} of ${i} incarnations were killed mid-run; the workload finishes too fast for the kill window`);
      const r = await runChild(dir, logFile, MIN_KILL_MS + Math.floor(random() * (MAX_KILL_MS - MIN_KILL_MS)));
      if (r.signal === "SIGKILL") {
        killed++;
        if (!existsSync(join(dir, "result.json"))) killedBeforeDone++;
      } else assert.is(r.code, 0, `incarnation ${i} failed:\n${r.output}`);
    }
    const last = await runChild(dir, logFile);
    assert.is(last.code, 0, `the final incarnation failed:\n${last.output}`);
    assert.is(killed, KILLS);
    const results = JSON.parse(readFileSync(join(dir, "result.json"), "utf8")) as Record<string, { status: string; output: unknown }>;
    assert.is(Object.keys(results).length, INSTANCES);
    for (let i = 0; i < INSTANCES; i++) {
      const id = `hello-${i}`;
      assert.is(results[id]?.status, "Completed", id);
      assert.equal(results[id]!.output, [1, 2, 3].map((s) => `Hello ${id}#${s}!`), id);
    }
    const executions = new Map<string, number>();
    const lines = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").filter(Boolean) : [];
    for (const line of lines) executions.set(line, (executions.get(line) ?? 0) + 1);
    for (let i = 0; i < INSTANCES; i++) for (let s = 1; s <= 3; s++) assert.ok(executions.has(`hello-${i} ${s}`), `step ${s} of hello-${i} never ran`);
    assert.is(executions.size, INSTANCES * 3, "no activity for an unknown instance or step");
    const reExecuted = lines.length - executions.size;
    // Channels and commit logs rotate every 8 KiB (hello-crash-child.ts) and are trimmed behind checkpoints.
    const store = join(dir, "store");
    const segs = (sub: string, ext: string) => readdirSync(join(store, sub), { recursive: true }).map(String).filter((n) => n.endsWith(ext));
    const channelSegs = segs("channels", ".log");
    const highest = Math.max(...channelSegs.map((n) => Number(n.slice(-16, -4))));
    console.log(`crash test: channel segments kept ${channelSegs.length} (highest number ${highest}), commit-log segments kept ${segs("partitions", ".seg").length}`);
    console.log(`crash test: ${killed} SIGKILLs (${killedBeforeDone} before the workload was first done), ${INSTANCES} instances, ${lines.length} activity executions for ${executions.size} steps: ${reExecuted} re-executions (${((100 * reExecuted) / executions.size).toFixed(2)}%)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
