/**
 * Compiles several versions of one orchestration source (each as its own
 * module, as two builds would be) and drives a machine step by step with its
 * frame encoded and decoded between steps, as the runtime persists it.
 */
import { compileSource } from "../../compiler/index.ts";
import { formatDiagnostic } from "../../compiler/diagnostics.ts";
import { loadCompiled } from "../../compiler/load.ts";
import { decode, encodeFrame } from "../../runtime/codec.ts";
import type { Command, Machine, Outcome, Wake } from "../../runtime/machine.ts";

let built = 0;

/** The machine of `name` in each source (compiled as separate files, so as separate modules). */
export async function compileVersions(name: string, sources: string[]): Promise<Machine[]> {
  const out: Machine[] = [];
  for (const text of sources) {
    const r = compileSource(`/app/v${built++}.ts`, text);
    if (r.diagnostics.length) throw new Error(r.diagnostics.map(formatDiagnostic).join("\n"));
    const mod = [...(await loadCompiled(r.outputs)).values()][0] as Record<string, any>;
    const orch = Object.values(mod).find((v: any) => v?.kind === "orchestration" && v.name === name) as any;
    if (!orch?.machine) throw new Error(`no orchestration ${name}`);
    out.push(orch.machine);
  }
  return out;
}

/** Runs a machine: activities answer `result(name, input)` at once; events wait for `raise`. */
export class Driver {
  frame: unknown;
  outcome: Outcome = { kind: "running" };
  readonly trace: string[] = [];
  private events = new Map<string, number[]>();

  constructor(public machine: Machine, input: unknown, private result: (name: string, input: unknown) => unknown = (n, i) => `${n}(${JSON.stringify(i)})`) {
    this.frame = machine.init(input, { instanceId: "i1", nowMs: 0 });
    this.step([]);
  }

  private step(wakes: Wake[]): void {
    let queue = wakes;
    for (let rounds = 0; rounds < 1000 && this.outcome.kind === "running"; rounds++) {
      const r = this.machine.step(decode(JSON.parse(JSON.stringify(encodeFrame(this.frame)))), queue, { instanceId: "i1", nowMs: 0 });
      this.frame = r.frame;
      this.outcome = r.outcome;
      queue = [];
      for (const c of r.commands) queue.push(...this.command(c));
      if (queue.length === 0) return;
    }
  }

  private command(c: Command): Wake[] {
    if (c.kind === "activity") {
      this.trace.push(`call ${c.name} ${JSON.stringify(c.input)}`);
      return [{ taskId: c.taskId, result: { ok: true, value: this.result(c.name, c.input) } }];
    }
    if (c.kind === "timer") {
      this.trace.push("timer");
      return [{ taskId: c.taskId, result: { ok: true, value: undefined } }];
    }
    if (c.kind === "waitEvent") {
      this.events.set(c.name, [...(this.events.get(c.name) ?? []), c.taskId]);
      return [];
    }
    if (c.kind === "setStatus") this.trace.push(`status ${JSON.stringify(c.value)}`);
    return [];
  }

  raise(name: string, value: unknown): void {
    const ids = this.events.get(name) ?? [];
    const id = ids.shift();
    if (id === undefined) throw new Error(`nobody waits for ${name}`);
    this.trace.push(`event ${name}`);
    this.step([{ taskId: id, result: { ok: true, value } }]);
  }

  /** Continues on another machine with a translated frame. */
  switchTo(machine: Machine, frame: unknown): void {
    this.machine = machine;
    this.frame = frame;
  }
}
