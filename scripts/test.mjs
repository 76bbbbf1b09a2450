#!/usr/bin/env node
// Runs every test file (test/**/*.test.ts) in its own Node process, two at a
// time, from the TypeScript sources (tsx loader, "source" export condition).
// Each file is a uvu suite that ends with `.run()`. A process per file keeps
// crash tests, emulators and browser tests isolated from each other.
// Usage: npm test [-- <substring> ...]   (only files whose path contains one of them)
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const filters = process.argv.slice(2);
// Two cores: more parallel files only make each slower and the timing-sensitive ones flaky.
const PARALLEL_FILES = Number(process.env.NWC_TEST_PARALLEL ?? 2);
// A file that hangs (a browser that never starts, an emulator that never answers)
// must fail the run, not stall it: its whole process group is killed after this.
const FILE_TIMEOUT_MS = Number(process.env.NWC_TEST_FILE_TIMEOUT_MS ?? 420_000);

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const files = findTests(join(root, "test"))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

let passed = 0, failed = 0, skipped = 0;
const failures = [];

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "--import", "./scripts/uvu-hook-errors.mjs", file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so a timeout can kill what it started too
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }, FILE_TIMEOUT_MS);
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (timedOut) output += `\nnwc test runner: ${file} did not finish within ${FILE_TIMEOUT_MS / 1000}s and was killed (NWC_TEST_FILE_TIMEOUT_MS sets the limit)\n`;
      const total = Number(/Total:\s+(\d+)/.exec(output)?.[1] ?? 0);
      const ok = Number(/Passed:\s+(\d+)/.exec(output)?.[1] ?? 0);
      const skip = Number(/Skipped:\s+(\d+)/.exec(output)?.[1] ?? 0);
      const bad = total - ok - skip;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      passed += ok;
      skipped += skip;
      if (timedOut || code !== 0 || bad > 0 || total === 0) {
        failed += Math.max(bad, 1);
        failures.push(file);
        process.stdout.write(`FAIL ${file} (${seconds}s, exit ${code ?? signal})\n${output}\n`);
      } else {
        process.stdout.write(`ok   ${file}: ${ok} passed${skip ? `, ${skip} skipped` : ""} (${seconds}s)\n`);
      }
      resolve();
    });
  });
}

const queue = [...files];
await Promise.all(
  Array.from({ length: Math.min(PARALLEL_FILES, queue.length) }, async () => {
    while (queue.length) await runFile(queue.shift());
  }),
);

if (failures.length) process.stdout.write(`\nfailed files:\n  ${failures.join("\n  ")}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
