// Starts `nwc dev` as a child process for the dashboard's browser tests: the
// CLI's entry itself (what bin/nwc.js runs from a source checkout), on a free
// port with the memory backend, so that stopping the child stops the server.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
/** nwc dev compiles the app and may build the page first: a minute is generous on a shared 2-core machine. */
const START_TIMEOUT_MS = 60_000;

export interface DevProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startDevProcess(appFile: string, extraArgs: string[] = []): Promise<DevProcess> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "cli/main.ts", "dev", "--port", "0", "--backend", "memory", ...extraArgs, appFile], {
    cwd: root, stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nwc dev did not start within ${START_TIMEOUT_MS / 1000} s:\n${out}`)), START_TIMEOUT_MS);
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\/api/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`nwc dev exited with ${code}:\n${out}`)); });
  });
  return {
    url, child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
  };
}
