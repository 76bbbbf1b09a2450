/**
 * `nwc run <file> <orchestration> [--input JSON] [--backend memory|local]
 * [--dir .nwc] [--timeout ms]`: compile the file on load, run a host, start
 * the orchestration, print its result and its step timeline (each step: time,
 * position, wakes received, commands issued, outcome).
 */
import { parseArgs } from "node:util";
import { backendFromFlags, findOrchestration, loadAppFile } from "../../runtime/app-loader.ts";
import { startHost, type StepTrace } from "../../runtime/host.ts";
import { describeState } from "../../runtime/instance-waits.ts";
import type { MachineGraph } from "../../runtime/machine.ts";
import { startWaitNotice, type WaitNotice } from "../instances/wait-notice.ts";

export const summary = "run an orchestration on the embedded backend and print its result and step timeline";

const USAGE = "usage: nwc run <file> <orchestration> [--input JSON] [--backend memory|local] [--dir .nwc] [--timeout ms]";

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        input: { type: "string" },
        backend: { type: "string" },
        dir: { type: "string" },
        timeout: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    console.error(`nwc run: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 2) {
    console.error(`nwc run: expected a file and an orchestration name\n${USAGE}`);
    return 2;
  }
  const [file, name] = positionals;
  let input: unknown = undefined;
  if (values.input !== undefined) {
    try {
      input = JSON.parse(values.input);
    } catch (error) {
      console.error(`nwc run: --input is not valid JSON (${(error as Error).message}); quote it for the shell, e.g. --input '["Tokyo","Seattle"]'`);
      return 2;
    }
  }
  const timeoutMs = values.timeout !== undefined ? Number(values.timeout) : 60_000;
  if (!(timeoutMs > 0)) {
    console.error("nwc run: --timeout must be a positive number of milliseconds");
    return 2;
  }
  const loaded = await loadAppFile(file);
  const orchestration = findOrchestration([loaded], name);
  const traces: StepTrace[] = [];
  let notice: WaitNotice | undefined;
  const backend = backendFromFlags(values.backend, values.dir);
  const host = await startHost({
    app: loaded.definitions,
    backend,
    onStep: (t) => {
      traces.push(t);
      notice?.progressed();
    },
  });
  try {
    const started = Date.now();
    const id = await host.client.start(orchestration, input);
    // While it waits (an event, a timer), say on what, and how to raise the event from another terminal.
    const dir = typeof backend === "object" && backend.kind === "local" && "dir" in backend ? backend.dir : undefined;
    notice = startWaitNotice(host, id, dir, (line) => console.error(line));
    const status = await host.client.wait(id, { timeoutMs });
    notice.stop();
    const ms = Date.now() - started;
    console.log(`instance ${id}: ${status.status} in ${ms} ms`);
    if (status.status === "Completed") console.log(JSON.stringify(status.output, null, 2));
    else if (status.error) console.log(`${status.error.name}: ${status.error.message}`);
    else console.log(JSON.stringify(status.output));
    console.log("");
    console.log(formatTimeline(traces.filter((t) => t.instanceId === id), orchestration.machine?.graph));
    return status.status === "Completed" ? 0 : 1;
  } finally {
    notice?.stop();
    await host.stop();
  }
}

export function formatTimeline(traces: StepTrace[], graph?: MachineGraph): string {
  if (traces.length === 0) return "timeline: no steps recorded";
  const t0 = traces[0].atMs;
  const lines = ["timeline:", "  step  time      wakes received          commands issued -> outcome             waiting at"];
  traces.forEach((t, i) => {
    const wakes = t.wakes.length ? t.wakes.map((w) => `#${w.taskId} ${w.ok ? "ok" : "error"}`).join(", ") : "-";
    const commands = t.commands.length ? t.commands.join("; ") : "-";
    const done = `${commands} -> ${t.outcome}`;
    const position = (t.position ?? []).map((state) => describeState(state, graph)).join("; ") || "-";
    lines.push(`  ${String(i + 1).padStart(4)}  ${`+${t.atMs - t0}ms`.padEnd(9)} ${wakes.padEnd(23)} ${done.padEnd(35)} ${position}`);
  });
  return lines.join("\n");
}
