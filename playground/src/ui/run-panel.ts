/**
 * The run panel: runs the selected compiled orchestration on the page's
 * runtime (sim/runtime.ts: the partition core on the memory backend) and
 * shows its progress: status and result, the machine graph with the current
 * states highlighted, the persisted frame as JSON, entity states and the
 * timeline of steps. Every user action is appended to a script, so "crash
 * and resume" can compare the crashed run with an uncrashed replay of the
 * same script (sim/replay.ts).
 */
import { serialize } from "../../../runtime/codec.ts";
import type { Machine } from "../../../runtime/machine.ts";
import type { SimSettings } from "../sim/activity-sim.ts";
import { PLAYGROUND_PARTITIONS, PlaygroundRuntime, ROOT_INSTANCE_ID, short } from "../sim/runtime.ts";
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
  /** An edit compiled while the instance waits, not deployed yet (the Deploy buttons). */
  private edited: LoadedProgram | undefined;
  /** Whether the script deployed an edit: a run of other code has no uncrashed replay to compare with. */
  private deployed = false;
  private runtime: PlaygroundRuntime | undefined;
  private script: Script | undefined;
  private machineName = "";
  private notes: { afterStep: number; text: string }[] = [];
  private busy = false;

  constructor(private readonly deps: RunPanelDeps) {
    $("run").onclick = () => void this.act({ kind: "run" });
    $("reset").onclick = () => {
      if (!this.busy) this.reset();
    };
    $("advance").onclick = () => {
      const ms = Number($<HTMLInputElement>("advance-ms").value);
      if (!(ms >= 0)) return this.showError(`advance: "${$<HTMLInputElement>("advance-ms").value}" is not a number of milliseconds >= 0`);
      void this.act({ kind: "advance", ms });
    };
    $("advance-timer").onclick = () => {
      const next = this.runtime?.nextTimerMs();
      if (this.runtime && next !== undefined) void this.act({ kind: "advance", ms: Math.max(0, next - this.runtime.nowMs) });
    };
    $("raise").onclick = () => {
      const name = $<HTMLInputElement>("event-name").value.trim();
      const data = this.parseJson("event data", $<HTMLInputElement>("event-data").value);
      if (name && data.ok) void this.act({ kind: "raise", name, data: data.value });
    };
    $("crash").onclick = () => void this.act({ kind: "crash" });
    $("deploy-pin").onclick = () => void this.act({ kind: "deploy", mode: "pin" });
    $("deploy-upgrade").onclick = () => void this.act({ kind: "deploy", mode: "upgrade" });
    $<HTMLSelectElement>("orchestration").onchange = () => this.selectMachine($<HTMLSelectElement>("orchestration").value);
  }

  /**
   * A newly compiled program: keep the selected orchestration if it still exists, and start over;
   * except for an edit while the instance waits (no preset chosen, the orchestration still
   * defined): the instance keeps running the code it started with until the edit is deployed.
   */
  setProgram(program: LoadedProgram | undefined, preferred?: string): void {
    const rt = this.runtime;
    if (program && preferred === undefined && rt && !rt.ended && program.machines.has(this.machineName) && this.program) {
      this.edited = program;
      this.render();
      return;
    }
    this.edited = undefined;
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
    const old = this.runtime;
    this.runtime = undefined;
    void old?.dispose().catch(() => undefined);
    this.script = undefined;
    this.notes = [];
    this.deployed = false;
    if (this.edited) {
      this.program = this.edited;
      this.edited = undefined;
    }
    $("crash-report").hidden = true;
    $("deploy-report").hidden = true;
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

  /** Starts the host and the instance on the first action: its first step, then until settled. */
  private async ensureStarted(): Promise<PlaygroundRuntime> {
    if (this.runtime) return this.runtime;
    const machine = this.machine();
    if (!machine || !this.program) throw new Error("nothing to run: fix the diagnostics so that the program compiles to at least one orchestration");
    const input = this.parseJson("input", $<HTMLInputElement>("input").value);
    if (!input.ok) throw new Error("the input is not valid JSON");
    const settings = this.settings();
    this.script = { orchestration: this.machineName, input: input.value, settings, actions: [] };
    this.runtime = await PlaygroundRuntime.start(this.program.app, this.machineName, input.value, settings);
    return this.runtime;
  }

  async act(action: Action): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    document.body.dataset.running = "true";
    try {
      const rt = await this.ensureStarted();
      const stepsBefore = rt.timeline.length;
      if (action.kind === "raise" && !rt.waitingEvents().includes(action.name)) {
        this.notes.push({ afterStep: stepsBefore, text: `event "${action.name}" raised while the instance does not wait for it: the partition buffers it until a ctx.waitForEvent("${action.name}") takes it` });
      }
      this.script!.actions.push(action);
      if (action.kind === "deploy") {
        const edited = this.edited ?? (await this.deps.reload());
        if (!edited.machines.has(this.machineName)) throw new Error(`the edited program no longer defines ${this.machineName}`);
        const report = await rt.deploy(edited.app, this.program!.app, action.mode);
        this.program = edited;
        this.edited = undefined;
        this.deployed = true;
        $("deploy-report").textContent = report;
        $("deploy-report").hidden = false;
        this.notes.push({ afterStep: stepsBefore, text: `edited code deployed (${action.mode}): ${report}` });
      } else if (action.kind === "crash") {
        const recordBytes = rt.committed.recordBytes;
        await applyAction(rt, action, async () => {
          // The runtime crashed: nothing survives but the memory backend's store and channels.
          const reloaded = await this.deps.reload();
          if (!reloaded.machines.has(this.machineName)) throw new Error(`after the crash the program no longer defines ${this.machineName}`);
          this.program = reloaded;
          return reloaded.app;
        });
        const replayed = rt.lastCrash?.commitsReplayed ?? [];
        this.notes.push({
          afterStep: stepsBefore,
          text: `crashed after step ${rt.rootSteps}: the host and its ${PLAYGROUND_PARTITIONS} partitions were dropped with the loaded program; ` +
            `a new host on a fresh load of the program recovered each partition from the memory store (checkpoint + ${replayed.join("/")} commit records replayed) ` +
            `and the instance went on from its persisted record (${recordBytes} bytes)`,
        });
      } else {
        await applyAction(rt, action, async () => (await this.deps.reload()).app);
      }
      if (rt.crashes > 0 && !this.deployed) await this.compare();
      this.render();
    } catch (e) {
      this.render();
      this.showError(`${(e as Error).name}: ${(e as Error).message}`);
    } finally {
      this.busy = false;
      document.body.dataset.running = "false";
    }
  }

  private async compare(): Promise<void> {
    const rt = this.runtime!;
    const cmp = await compareWithUncrashed(rt, this.program!.app, this.script!);
    const el = $("crash-report");
    el.hidden = false;
    el.className = `panel crash-report ${cmp.equal ? "equal" : "different"}`;
    el.textContent = cmp.equal
      ? `Crash and resume (${rt.crashes} crash${rt.crashes > 1 ? "es" : ""}): same ${rt.ended ? "result" : "state so far"} as an uncrashed run of the same actions. ` +
        `Resumed: ${describeOutcome(cmp.crashed.outcome)}; uncrashed: ${describeOutcome(cmp.uncrashed.outcome)}.`
      : `Crash and resume DIFFERS from the uncrashed run in: ${cmp.differences.join(", ")}. Resumed: ${cmp.crashed.outcome}; uncrashed: ${cmp.uncrashed.outcome}`;
    el.dataset.equal = String(cmp.equal);
  }

  render(): void {
    const machine = this.machine();
    const rt = this.runtime;
    const canDeploy = !!(this.edited && rt && !rt.ended);
    $<HTMLButtonElement>("deploy-pin").disabled = !canDeploy;
    $<HTMLButtonElement>("deploy-upgrade").disabled = !canDeploy;
    $("deploy-status").textContent = canDeploy
      ? `edited code compiled (version ${this.edited!.machines.get(this.machineName)?.version}); the instance still runs version ${rt!.committed.version}: deploy it`
      : "";
    const status = $("run-status");
    const result = $("result");
    if (!rt) {
      status.textContent = machine ? `${machine.name}: not started` : "no orchestration";
      $("clock").textContent = "";
      result.className = "panel result";
      result.textContent = "";
    } else {
      const o = rt.outcome;
      const next = rt.nextTimerMs();
      const waits = [...rt.waitingEvents().map((n) => `event "${n}"`), ...(next !== undefined ? [`timer at +${next - rt.startMs} ms`] : [])];
      status.textContent = `${machine?.name}: ${o.kind}${o.kind === "running" && waits.length ? `, waiting for ${waits.join(" or ")}` : ""}`;
      $("clock").textContent = `virtual clock +${rt.nowMs - rt.startMs} ms · ${rt.rootSteps} steps${rt.committed.version ? ` · version ${rt.committed.version}` : ""}`;
      result.className = `panel result ${o.kind}`;
      result.textContent = o.kind === "completed" ? `Result: ${JSON.stringify(o.output)}`
        : o.kind === "failed" ? `Failed: ${o.error.name}: ${o.error.message}` : "";
      const ev = rt.waitingEvents()[0];
      if (ev && !$<HTMLInputElement>("event-name").value) $<HTMLInputElement>("event-name").value = ev;
    }
    result.hidden = result.textContent === "";
    const graph = $("graph");
    const rootSteps = rt ? rt.timeline.filter((t) => t.instanceId === ROOT_INSTANCE_ID) : [];
    if (machine) {
      const active = rt ? rt.position() : [];
      const visited = rootSteps.flatMap((t) => t.position);
      graph.innerHTML = renderGraphSvg(machine.graph, { active, visited: ["start", ...visited] });
    } else graph.innerHTML = `<p class="muted" style="padding:8px">No compiled machine yet.</p>`;
    const frame = rt?.committed.frame;
    $("frame").textContent = rt ? JSON.stringify(frame, null, 2) : "";
    $("frame-size").textContent = !rt ? "" : frame === null ? "(finished: the partition keeps no frame, only the status and output)" : `(as persisted: ${serialize(frame).length} bytes)`;
    const entities = rt?.committed.entities ?? {};
    $("entities-panel").hidden = Object.keys(entities).length === 0;
    $("entities").textContent = Object.entries(entities).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n");
    $("runtime-info").textContent = rt
      ? `Runs on the partition core with the memory backend in this page: ${PLAYGROUND_PARTITIONS} partitions, ${rt.backend.store.appendedCommits} commits, virtual clock.`
      : "";
    const items: HTMLLIElement[] = [];
    const notesAt = (n: number) => this.notes.filter((x) => x.afterStep === n).map((x) => Object.assign(document.createElement("li"), { className: "note", textContent: x.text }));
    const labelOf = new Map(machine?.graph.states.map((st) => [st.id, st.line !== undefined ? `${st.label} (line ${st.line})` : st.label]) ?? []);
    items.push(...notesAt(0));
    for (const t of rt?.timeline ?? []) {
      const li = document.createElement("li");
      const who = t.instanceId === ROOT_INSTANCE_ID ? "" : `[${t.instanceId}] `;
      const where = t.instanceId === ROOT_INSTANCE_ID ? t.position.map((id) => labelOf.get(id) ?? id).join(" and ") : "";
      li.textContent = `${who}+${t.atMs} ms · ${t.woke.join("; ")} → ${t.issued.length ? t.issued.join("; ") : "nothing issued"} · ${t.outcome === "running" ? `waits${where ? ` at ${where}` : ""}` : t.outcome}`;
      items.push(li, ...notesAt(t.step));
    }
    $("timeline").replaceChildren(...items);
  }
}

function describeOutcome(encoded: string): string {
  const o = JSON.parse(encoded) as { status?: string; output?: unknown; error?: { message: string } };
  if (o.status === "Completed") return `completed with ${JSON.stringify(o.output)}`;
  if (o.status === "Failed") return `failed: ${o.error?.message}`;
  return (o.status ?? "not started").toLowerCase();
}

export { short };
