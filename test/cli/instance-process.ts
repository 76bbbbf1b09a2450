/**
 * Real processes for the instance-command tests: a child whose output is
 * collected as it comes, waited for by pattern (the machine is shared and
 * slow at times: deadlines are generous).
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { root } from "./run-command.ts";

export interface Child {
  process: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output so far or to come. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

/** `node <args>` from the repository root, TypeScript through tsx. */
export function startNode(args: string[]): Child {
  return start(["--conditions=source", "--import", "tsx", ...args]);
}

/**
 * `nwc <args>` as a user runs it: bin/nwc.js on the sources. (nwc dev is
 * started with startNode on cli/main.ts instead, so SIGINT reaches it.)
 */
export function startNwc(args: string[]): Child {
  return start([path.join(root, "bin/nwc.js"), ...args]);
}

function start(args: string[]): Child {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NWC_FROM_SOURCE: "1" } });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return {
    process: child,
    output: () => out,
    exited,
    async waitFor(pattern, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = pattern.exec(out);
        if (m) return m;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${pattern} in the output of ${args.join(" ")}:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
