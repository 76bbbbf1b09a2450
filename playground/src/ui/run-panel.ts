/**
 * The run panel: runs the selected compiled orchestration in the page's
 * driver (sim/driver.ts) and shows its progress: status and result, the
 * machine graph with the current states highlighted, the frame as JSON and the
 * timeline of steps. Every user action is appended to a script, so "crash and
 * resume" can compare the crashed run with an uncrashed replay of the same
 * script (sim/replay.ts).
 */
import { encode, serialize } from "../../../runtime/codec.ts";
import type { Machine } from "../../../runtime/machine.ts";
import type { SimSettings } from "../sim/activity-sim.ts";
import { Driver, short, type SimApp } from "../sim/driver.ts";
import { applyAction, compareWithUncrashed, type Action, type Script } from "../sim/replay.ts";
import { renderGraphSvg } from "../graph/render.ts";
import type { LoadedProgram } from "../adapters/module-loader.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export interface RunPanelDeps {
  /** Loads the current compiled program again (a fresh evaluation): what a restarted process sees. */
  reload(): Promise<LoadedProgram>;
}

export class RunPanel {
  private program: LoadedProgram | undefined;
  private driver: Driver | undefined;
  private script: Script | undefined;
  private machineName = "";
  private crashes = 0;
  private notes: { afterStep: number; text: string }[] = [];
  private busy = false;

  constructor(private readonly deps: RunPanelDeps) {
    $("run").onclick = () => this.act({ kind: "run" });
    $("reset").onclick = () => this.reset();
    $("advance").onclick = () => {
      const ms = Number($<HTMLInputElement>("advance-ms").value);
      if (!(ms >= 0)) return this.showError(`advance: "${$<HTMLInputElement>("advance-ms").value}" is not a number of milliseconds >= 0`);
      void this.act({ kind: "advance", ms });
    };
    $("advance-timer").onclick = () => {
      const next = this.driver?.nextTimerMs();
      if (this.driver && next !== undefined) void this.act({ kind: "advance", ms: next - this.driver.nowMs });
    };
    $("raise").onclick = () => {
      const name = $<HTMLInputElement>("event-name").value.trim();
      const data = this.parseJson("event data", $<HTMLInputElement>("event-data").value);
      if (name && data.ok) void this.act({ kind: "raise", name, data: data.value });
    };
    $("crash").onclick = () => void this.crash();
    $<HTMLSelectElement>("orchestration").onchange = () => this.selectMachine($<HTMLSelectElement>("orchestration").value);
  }

  /** A newly compiled program: keep the selected orchestration if it still exists, and start over. */
  setProgram(program: LoadedProgram | undefined, preferred?: string): void {
    this.program = program;
    const select = $<HTMLSelectElement>("orchestration");
    const names = program ? [...program.machines.keys()] : [];
    select.replaceChildren(...names.map((n) => Object.assign(document.createElement("option"), { value: n, textContent: n })));
    const pick = names.includes(preferred ?? "") ? preferred! : names.includes(this.machineName) ? this.machineName : names[0] ?? "";
    select.value = pick;
    this.selectMachine(pick);
  }

  private selectMachine(name: string): void {
    this.machineName = name;
    this.reset();
  }

  private machine(): Machine | undefined {
    return this.program?.machines.get(this.machineName);
  }

  reset(): void {
    this.driver = undefined;
    this.script = undefined;
    this.crashes = 0;
    this.notes = [];
    $("crash-report").hidden = true;
    this.render();
  }

  private settings(): SimSettings {
    return {
      latencyMs: Number($<HTMLInputElement>("latency").value),
      failureRate: Number($<HTMLInputElement>("failure-rate").value),
      seed: Math.trunc(Number($<HTMLInputElement>("seed").value)),
    };
  }

  private parseJson(what: string, text: string): { ok: true; value: unknown } | { ok: false } {
    try {
      return { ok: true, value: text.trim() === "" ? undefined : JSON.parse(text) };
    } catch (e) {
      this.showError(`${what} is not valid JSON: ${(e as Error).message}`);
      return { ok: false };
    }
  }

  private showError(message: string): void {
    const el = $("result");
    el.className = "panel result failed";
    el.textContent = message;
    el.hidden = false;
  }

  private ensureStarted(): boolean {
    if (this.driver) return true;
    const machine = this.machine();
    if (!machine || !this.program) {
      this.showError("nothing to run: fix the diagnostics so that the program compiles to at least one orchestration");
      return false;
    }
    const input = this.parseJson("input", $<HTMLInputElement>("input").value);
    if (!input.ok) return false;
    try {
      const settings = this.settings();
      this.driver = Driver.start(machine, this.program.app, input.value, settings);
      this.script = { input: input.value, settings, actions: [] };
      return true;
    } catch (e) {
      this.showError((e as Error).message);
      return false;
    }
  }

  private async guarded(fn: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await fn();
    } catch (e) {
      this.showError(`${(e as Error).name}: ${(e as Error).message}`);
      return;
    } finally {
      this.busy = false;
    }
    this.render();
  }

  async act(action: Action): Promise<void> {
    await this.guarded(async () => {
      if (!this.ensureStarted()) throw new Error("not started");
      if (action.kind === "raise" && !this.driver!.waitingEvents().includes(action.name)) {
        this.notes.push({ afterStep: this.driver!.state.steps, text: `event "${action.name}" raised, but the instance does not wait for it: ignored` });
      }
      this.script!.actions.push(action);
      await applyAction(this.driver!, action);
      if (this.crashes > 0) await this.compare();
    });
  }

  /** Serialize the frame and pending work, drop the driver and the loaded program, reload, restore, continue. */
  async crash(): Promise<void> {
    await this.guarded(async () => {
      if (!this.ensureStarted()) throw new Error("not started");
      const text = this.driver!.snapshot();
      const steps = this.driver!.state.steps;
      this.driver = undefined;
      const reloaded = await this.deps.reload();
      const machine = reloaded.machines.get(this.machineName);
      if (!machine) throw new Error(`after the crash the program no longer defines ${this.machineName}`);
      this.program = reloaded;
      this.driver = Driver.restore(machine, reloaded.app, text);
      this.crashes++;
      this.notes.push({ afterStep: steps, text: `crashed after step ${steps}: the runtime was dropped; restored from the ${text.length}-byte snapshot into a freshly loaded program` });
      this.script!.actions.push({ kind: "crash" }, { kind: "run" });
      await this.driver.run();
      await this.compare();
    });
  }

  private async compare(): Promise<void> {
    const machine = this.machine()!;
    const cmp = await compareWithUncrashed(this.driver!, machine, this.program!.app, this.script!);
    const el = $("crash-report");
    el.hidden = false;
    el.className = `panel crash-report ${cmp.equal ? "equal" : "different"}`;
    const ended = this.driver!.ended;
    el.textContent = cmp.equal
      ? `Crash and resume (${this.crashes} crash${this.crashes > 1 ? "es" : ""}): same ${ended ? "result" : "state so far"} as an uncrashed run of the same actions. ` +
        `Resumed: ${describeOutcome(cmp.crashed.outcome)}; uncrashed: ${describeOutcome(cmp.uncrashed.outcome)}.`
      : `Crash and resume DIFFERS from the uncrashed run in: ${cmp.differences.join(", ")}. Resumed: ${cmp.crashed.outcome}; uncrashed: ${cmp.uncrashed.outcome}`;
    el.dataset.equal = String(cmp.equal);
  }

  render(): void {
    const machine = this.machine();
    const d = this.driver;
    const status = $("run-status");
    const result = $("result");
    if (!d) {
      status.textContent = machine ? `${machine.name}: not started` : "no orchestration";
      $("clock").textContent = "";
      result.className = "panel result";
      result.textContent = "";
    } else {
      const o = d.outcome;
      const waits = [...d.waitingEvents().map((n) => `event "${n}"`), ...(d.nextTimerMs() !== undefined ? [`timer at +${d.nextTimerMs()! - d.state.startMs} ms`] : [])];
      status.textContent = `${machine?.name}: ${o.kind}${o.kind === "running" && waits.length ? `, waiting for ${waits.join(" or ")}` : ""}`;
      $("clock").textContent = `virtual clock +${d.nowMs - d.state.startMs} ms · ${d.state.steps} steps`;
      result.className = `panel result ${o.kind}`;
      result.textContent = o.kind === "completed" ? `Result: ${JSON.stringify(o.output)}`
        : o.kind === "failed" ? `Failed: ${o.error.name}: ${o.error.message}`
        : o.kind === "continuedAsNew" ? `Continued as new with input ${short(o.input)}` : "";
      const ev = d.waitingEvents()[0];
      if (ev && !$<HTMLInputElement>("event-name").value) $<HTMLInputElement>("event-name").value = ev;
    }
    result.hidden = result.textContent === "";
    const graph = $("graph");
    if (machine) {
      const active = d ? d.position() : [];
      const visited = d ? d.timeline.flatMap((t) => t.position) : [];
      graph.innerHTML = renderGraphSvg(machine.graph, { active, visited: ["start", ...visited] });
    } else graph.innerHTML = `<p class="muted" style="padding:8px">No compiled machine yet.</p>`;
    const frameText = d ? JSON.stringify(encode(d.frame), null, 2) : "";
    $("frame").textContent = frameText;
    $("frame-size").textContent = d ? `(${serialize(d.frame).length} bytes encoded)` : "";
    const items: HTMLLIElement[] = [];
    const notesAt = (n: number) => this.notes.filter((x) => x.afterStep === n).map((x) => Object.assign(document.createElement("li"), { className: "note", textContent: x.text }));
    const labelOf = new Map(machine?.graph.states.map((st) => [st.id, st.line !== undefined ? `${st.label} (line ${st.line})` : st.label]) ?? []);
    for (const t of d?.timeline ?? []) {
      const li = document.createElement("li");
      li.textContent = `+${t.atMs} ms · ${t.woke.join("; ")} → ${t.issued.length ? t.issued.join("; ") : "nothing issued"} · ${t.outcome === "running" ? `waits at ${t.position.map((id) => labelOf.get(id) ?? id).join(" and ") || "?"}` : t.outcome}`;
      items.push(li, ...notesAt(t.step));
    }
    $("timeline").replaceChildren(...items);
  }
}

function describeOutcome(encoded: string): string {
  const o = JSON.parse(encoded) as { kind: string; output?: unknown; error?: { message: string } };
  if (o.kind === "completed") return `completed with ${JSON.stringify(o.output)}`;
  if (o.kind === "failed") return `failed: ${o.error?.message}`;
  return o.kind;
}

export type { SimApp };
