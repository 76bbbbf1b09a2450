/**
 * Dashboard mode: a running `nwc dev` seen through its HTTP API
 * (adapters/dev-api.ts). Lists instances (filtered by status), refreshes
 * periodically, and shows the opened instance's status, input, output and its
 * position on its orchestration's graph.
 */
import { DevApi, STATUSES, type InstanceStatusView, type OrchestrationView } from "../adapters/dev-api.ts";
import { renderGraphSvg } from "../graph/render.ts";
import { knownIds } from "../graph/position.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** How often the list and the opened instance refresh. */
export const REFRESH_MS = 2000;

export class Dashboard {
  private api: DevApi | undefined;
  private graphs = new Map<string, OrchestrationView>();
  private selected: string | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private refreshing = false;

  constructor(defaultUrl: string | undefined) {
    if (defaultUrl) $<HTMLInputElement>("dev-url").value = defaultUrl;
    const filter = $<HTMLSelectElement>("status-filter");
    for (const s of STATUSES) filter.append(Object.assign(document.createElement("option"), { value: s, textContent: s }));
    filter.onchange = () => void this.refresh();
    $("connect").onclick = () => void this.connect();
    $<HTMLInputElement>("auto-refresh").onchange = () => this.schedule();
  }

  async connect(): Promise<void> {
    try {
      this.api = new DevApi($<HTMLInputElement>("dev-url").value);
    } catch (e) {
      return this.setStatus((e as Error).message, true);
    }
    this.graphs.clear();
    this.selected = undefined;
    await this.refresh();
    this.schedule();
  }

  /** Stops refreshing (the tab is hidden). */
  pause(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  schedule(): void {
    this.pause();
    if (this.api && $<HTMLInputElement>("auto-refresh").checked) this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  private setStatus(text: string, error = false): void {
    const el = $("dash-status");
    el.textContent = text;
    el.className = error ? "error" : "muted";
  }

  async refresh(): Promise<void> {
    if (!this.api || this.refreshing) return;
    this.refreshing = true;
    try {
      if (this.graphs.size === 0) for (const o of await this.api.orchestrations()) this.graphs.set(o.name, o);
      const status = $<HTMLSelectElement>("status-filter").value;
      const list = await this.api.list(status ? { status } : {});
      this.renderList(list);
      if (this.selected) await this.renderDetail(await this.api.status(this.selected));
      this.setStatus(`connected to ${this.api.base} · ${list.length} instance${list.length === 1 ? "" : "s"} · ${new Date().toLocaleTimeString()}`);
    } catch (e) {
      this.setStatus((e as Error).message, true);
    } finally {
      this.refreshing = false;
    }
  }

  private renderList(list: InstanceStatusView[]): void {
    const rows = [...list].sort((a, b) => String(b.updatedAt ?? "").localeCompare(String(a.updatedAt ?? "")) || a.instanceId.localeCompare(b.instanceId)).map((s) => {
      const tr = document.createElement("tr");
      tr.className = `instance${s.instanceId === this.selected ? " selected" : ""}`;
      tr.dataset.id = s.instanceId;
      const cells = [s.instanceId, s.name, "", formatTime(s.updatedAt)].map((t) => Object.assign(document.createElement("td"), { textContent: t }));
      cells[2]!.append(Object.assign(document.createElement("span"), { className: `badge ${s.status}`, textContent: s.status }));
      tr.append(...cells);
      tr.onclick = () => void this.open(s.instanceId);
      return tr;
    });
    $("instances").querySelector("tbody")!.replaceChildren(...rows);
  }

  async open(instanceId: string): Promise<void> {
    this.selected = instanceId;
    await this.refresh();
  }

  private async renderDetail(s: InstanceStatusView): Promise<void> {
    const el = $("instance-detail");
    let orch = this.graphs.get(s.name);
    if (!orch && this.api) {
      for (const o of await this.api.orchestrations()) this.graphs.set(o.name, o);
      orch = this.graphs.get(s.name);
    }
    const finished = s.status === "Completed" || s.status === "Failed" || s.status === "Terminated";
    const position = orch ? knownIds(orch.graph, finished ? ["end"] : s.position ?? []) : [];
    const parts = [
      `<h3>${esc(s.instanceId)} <span class="badge ${esc(s.status)}">${esc(s.status)}</span></h3>`,
      `<p>${esc(s.name)}${s.version ? ` @ ${esc(s.version)}` : ""} · waits at: <b class="position">${esc(position.map((id) => labelOf(orch!, id)).join(" and ") || "-")}</b></p>`,
      orch ? `<div class="graph">${renderGraphSvg(orch.graph, { active: position })}</div>` : `<p class="muted">The orchestration ${esc(s.name)} is not registered with this host.</p>`,
      `<h3>Input</h3><pre class="input">${esc(json(s.input))}</pre>`,
      `<h3>Output</h3><pre class="output">${esc(json(s.output))}</pre>`,
      s.error ? `<h3>Error</h3><pre class="error">${esc(`${s.error.name}: ${s.error.message}`)}</pre>` : "",
      s.customStatus !== undefined ? `<h3>Custom status</h3><pre>${esc(json(s.customStatus))}</pre>` : "",
    ];
    el.innerHTML = parts.join("");
  }
}

function labelOf(orch: OrchestrationView, id: string): string {
  const st = orch.graph.states.find((x) => x.id === id);
  return st ? (st.line !== undefined ? `${st.label} (line ${st.line})` : st.label) : id;
}

function json(v: unknown): string {
  return v === undefined ? "(none)" : JSON.stringify(v, null, 2);
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function formatTime(t: number | string | undefined): string {
  if (t === undefined) return "";
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toLocaleTimeString();
}
