/**
 * Test helpers for the CLI: `nwc(...)` spawns bin/nwc.js like a user does;
 * `inProcess(module, ...)` runs a command module in this process (the compiler
 * and TypeScript stay loaded, so a call costs milliseconds, not a Node start),
 * capturing what it prints.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));

export interface CommandResult { code: number | null; stdout: string; stderr: string }

export function nwc(...args: string[]): CommandResult {
  const r = spawnSync(process.execPath, [path.join(root, "bin/nwc.js"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NWC_FROM_SOURCE: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export async function inProcess(module: { run(args: string[]): Promise<number> }, ...args: string[]): Promise<CommandResult> {
  let stdout = "", stderr = "";
  const write = process.stdout.write.bind(process.stdout);
  const log = console.log, error = console.error;
  process.stdout.write = ((chunk: string) => { stdout += chunk; return true; }) as typeof process.stdout.write;
  console.log = (...a: unknown[]) => { stdout += a.join(" ") + "\n"; };
  console.error = (...a: unknown[]) => { stderr += a.join(" ") + "\n"; };
  try {
    const code = await module.run(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = write;
    console.log = log;
    console.error = error;
  }
}
