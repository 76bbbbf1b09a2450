/**
 * Dashboard mode: a running `nwc dev` seen through its HTTP API
 * (adapters/dev-api.ts). It connects as soon as it is shown (to the page's
 * own origin when `nwc dev` served it, else to the configured URL), lists
 * instances (filtered by status), refreshes periodically (so a host started
 * later is picked up), starts instances (ui/start-form.ts), raises events to
 * and terminates the opened one (ui/instance-actions.ts), and shows it
 * (ui/instance-view.ts). The opened instance is the location hash
 * (`#instance=<id>`), so parent and child links, back and reload work.
 */
import { DevApi, STATUSES, type InstanceStatusView, type OrchestrationView } from "../adapters/dev-api.ts";
import { formatTime, instanceHash, instanceOfHash } from "./html.ts";
import { InstanceActions } from "./instance-actions.ts";
import { renderInstance } from "./instance-view.ts";
import { StartForm } from "./start-form.ts";
import { labelWaits } from "./history-view.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const HISTORY_ROUTE = "/api/instances/:id/history";

/** How often the list and the opened instance refresh. */
export const REFRESH_MS = 2000;

export class Dashboard {
  private api: DevApi | undefined;
  private graphs = new Map<string, OrchestrationView>();
  private selected: string | undefined;
  /** Whether the host serves GET /api/instances/:id/history (from GET /api, asked once per connect; older hosts do not). */
  private historyRoute: boolean | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private refreshing: Promise<void> | undefined;
  private connected = false;
  private readonly startForm: StartForm;
  private readonly actions: InstanceActions;

  constructor(defaultUrl: string | undefined) {
    if (defaultUrl) $<HTMLInputElement>("dev-url").value = defaultUrl;
    const filter = $<HTMLSelectElement>("status-filter");
    for (const s of STATUSES) filter.append(Object.assign(document.createElement("option"), { value: s, textContent: s }));
    filter.onchange = () => void this.refresh();
    $("connect").onclick = () => void this.connect();
    $<HTMLInputElement>("auto-refresh").onchange = () => this.schedule();
    this.startForm = new StartForm(() => this.api, (id) => this.navigate(id));
    this.actions = new InstanceActions(() => this.api, () => void this.refresh());
    window.addEventListener("hashchange", () => {
      const id = instanceOfHash(location.hash);
      if (id && id !== this.selected) void this.open(id);
    });
  }

  /** The tab is shown: connect the first time, then keep refreshing. */
  show(): void {
    if (!this.connected) void this.connect();
    else this.schedule();
  }

  async connect(): Promise<void> {
    this.connected = true;
    try {
      this.api = new DevApi($<HTMLInputElement>("dev-url").value);
    } catch (e) {
      return this.setStatus((e as Error).message, true);
    }
    this.graphs.clear();
    this.historyRoute = undefined;
    this.selected = instanceOfHash(location.hash);
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

  /** Opens an instance through the location hash (links, rows, a started instance). */
  private navigate(instanceId: string): void {
    if (location.hash === instanceHash(instanceId)) void this.open(instanceId);
    else location.hash = instanceHash(instanceId);
  }

  async open(instanceId: string): Promise<void> {
    this.selected = instanceId;
    await this.refresh();
  }

  /** One refresh at a time; a refresh asked for during one runs again after it, so an action's effect is never missed. */
  async refresh(): Promise<void> {
    while (this.refreshing) await this.refreshing;
    this.refreshing = this.refreshOnce().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    const api = this.api;
    if (!api) return;
    try {
      if (this.graphs.size === 0) await this.loadGraphs(api);
      // Asked of GET /api rather than by trying the route: a 404 would be logged by the browser on every refresh.
      this.historyRoute ??= (await api.routes()).some((r) => r.method === "GET" && r.path === HISTORY_ROUTE);
      const status = $<HTMLSelectElement>("status-filter").value;
      const read = await api.list(status ? { status } : {});
      const detail = this.selected ? await api.status(this.selected) : undefined;
      // The detail is read after the list, and the instance may have moved on in between: its row shows what its detail shows.
      const list = detail ? read.map((s) => (s.instanceId === detail.instanceId ? { ...s, status: detail.status, updatedAt: detail.updatedAt } : s)) : read;
      this.renderList(list);
      if (detail) await this.renderDetail(api, detail, list);
      else this.actions.show(undefined);
      this.setStatus(`connected to ${api.base} · ${list.length} instance${list.length === 1 ? "" : "s"} · ${new Date().toLocaleTimeString()}`);
      document.body.dataset.dashboard = "connected";
    } catch (e) {
      this.setStatus((e as Error).message, true);
      document.body.dataset.dashboard = "error";
    }
  }

  private async loadGraphs(api: DevApi): Promise<void> {
    const list = await api.orchestrations();
    for (const o of list) this.graphs.set(o.name, o);
    this.startForm.setOrchestrations(list);
  }

  private renderList(list: InstanceStatusView[]): void {
    const rows = [...list].sort((a, b) => String(b.updatedAt ?? "").localeCompare(String(a.updatedAt ?? "")) || a.instanceId.localeCompare(b.instanceId)).map((s) => {
      const tr = document.createElement("tr");
      tr.className = `instance${s.instanceId === this.selected ? " selected" : ""}`;
      tr.dataset.id = s.instanceId;
      const cells = [s.instanceId, s.name, "", formatTime(s.updatedAt)].map((t) => Object.assign(document.createElement("td"), { textContent: t }));
      cells[2]!.append(Object.assign(document.createElement("span"), { className: `badge ${s.status}`, textContent: s.status }));
      tr.append(...cells);
      tr.onclick = () => this.navigate(s.instanceId);
      return tr;
    });
    $("instances").querySelector("tbody")!.replaceChildren(...rows);
  }

  private async renderDetail(api: DevApi, s: InstanceStatusView, list: InstanceStatusView[]): Promise<void> {
    if (!this.graphs.has(s.name)) await this.loadGraphs(api);
    const history = labelWaits(this.historyRoute ? await api.history(s.instanceId) : undefined, this.graphs.get(s.name)?.graph);
    const listedChildren = list.filter((x) => x.parentInstanceId === s.instanceId).map((x) => x.instanceId);
    // The detail is replaced whole: keep an open stack trace open across refreshes.
    const el = $("instance-detail");
    const stackOpen = el.querySelector("details")?.open ?? false;
    el.innerHTML = renderInstance({ status: s, orchestration: this.graphs.get(s.name), history, listedChildren });
    if (stackOpen) el.querySelector("details")?.setAttribute("open", "");
    el.dataset.id = s.instanceId;
    this.actions.show(s);
  }
}
