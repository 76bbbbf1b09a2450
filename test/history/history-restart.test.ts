/**
 * The history of a local host's instance survives a SIGKILL of its process:
 * a child process runs `journey` up to its event wait and is killed; a new
 * host on the same directory finishes it, and the history holds every step,
 * before and after the kill, once. Then `nwc show` (store directory, no host
 * running) prints it, with the child and the parent links, as text and JSON.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as showCmd from "../../cli/commands/show.ts";
import type { HistoryStep } from "../../runtime/history.ts";
import { startHost } from "../../runtime/host.ts";
import { inProcess } from "../cli/run-command.ts";
import { compileOnLoad } from "../entities/harness.ts";

const CHILD = fileURLToPath(new URL("./history-child.ts", import.meta.url));
/** The child compiles the app and runs three steps: well under this on a loaded machine. */
const CHILD_TIMEOUT_MS = 120_000;

if (!(await compileOnLoad())) throw new Error("this build has no compiler");
const app = await import("./history-app.ts");

/** Runs the child until it says WAITING, then kills it with SIGKILL. */
function runAndKill(dir: string, id: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", CHILD, dir, id], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const hang = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
    child.stdout.on("data", (d) => {
      output += d;
      if (output.includes("WAITING")) child.kill("SIGKILL");
    });
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (_code, signal) => {
      clearTimeout(hang);
      if (signal === "SIGKILL" && output.includes("WAITING")) resolve(output);
      else reject(new Error(`the child did not reach its wait: ${output}`));
    });
  });
}

test("the history survives a SIGKILL of a local host; nwc show prints it with the child and parent links", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nwc-history-kill-"));
  try {
    await runAndKill(dir, "k1");
    const host = await startHost({ app: [app], backend: { kind: "local", dir }, partitions: 2, hostId: "history-host", log: () => undefined });
    let steps: HistoryStep[];
    try {
      const before = (await host.client.history("k1")).steps;
      assert.ok(before.length >= 3, JSON.stringify(before));
      assert.is(before.at(-1)!.commands.at(-1)!.kind, "waitEvent");
      await host.client.raise("k1", "approval", "yes");
      assert.is((await host.client.wait("k1", { timeoutMs: 30_000 })).status, "Completed");
      steps = (await host.client.history("k1")).steps;
      assert.equal(steps.slice(0, before.length), before);
      assert.equal(steps.map((s) => s.seq), steps.map((_, i) => i + 1));
      assert.is(steps.at(-1)!.outcome, "completed");
      assert.ok(steps.some((s) => s.wakes.some((w) => w.kind === "event" && w.name === "approval")));
    } finally {
      await host.stop();
    }

    const text = await inProcess(showCmd, "k1", "--dir", dir);
    assert.is(text.code, 0, text.stderr);
    assert.match(text.stdout, /children\s+k1-child \(child\)/);
    assert.match(text.stdout, new RegExp(`history\\s+${steps.length} steps`));
    assert.match(text.stdout, /#1  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z\n\s+-> call activity flaky \(task \d+\)\n\s+at line \d+\n/);
    assert.match(text.stdout, /<- activity flaky \(task \d+\): ok, after 3 attempts; last failed attempt: Error: flaky attempt 2 failed/);
    assert.match(text.stdout, /<- activity broken \(task \d+\): failed, TypeError: broken for good/);
    assert.match(text.stdout, /<- timer \(task \d+\): ok/);
    assert.match(text.stdout, /<- event approval \(task \d+\): ok/);
    assert.match(text.stdout, /-> start child k1-child \(child\) \(task \d+\)/);
    assert.match(text.stdout, /<- child k1-child \(child\) \(task \d+\): ok\n\s+completed\n/);

    const json = await inProcess(showCmd, "k1", "--dir", dir, "--json");
    assert.is(json.code, 0, json.stderr);
    const shown = JSON.parse(json.stdout) as { parentInstanceId: string | null; children: unknown; history: HistoryStep[] };
    assert.is(shown.parentInstanceId, null);
    assert.equal(shown.children, [{ instanceId: "k1-child", name: "child" }]);
    assert.equal(shown.history, steps);

    const child = await inProcess(showCmd, "k1-child", "--dir", dir);
    assert.match(child.stdout, /parent\s+k1\n/);
    const childJson = JSON.parse((await inProcess(showCmd, "k1-child", "--dir", dir, "--json")).stdout) as { parentInstanceId: string };
    assert.is(childJson.parentInstanceId, "k1");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
