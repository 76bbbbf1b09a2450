/**
 * Dev-API adapter: the dashboard's client for a running `nwc dev` (HTTP on
 * 127.0.0.1; it answers browsers only from its own page and allowed origins,
 * and takes writes only as `Content-Type: application/json`, see
 * runtime/dev-access.ts). Routes: GET /api/orchestrations, GET /api/instances
 * (?status=&name=), GET /api/instances/:id (status with its parent, position,
 * waits), GET /api/instances/:id/history (where the host has it: GET
 * /api lists the routes), POST
 * /api/instances, POST .../events/:name, POST .../terminate.
 *
 * Invariant: every failure becomes an Error whose message names the URL and
 * what the server said.
 */
import type { MachineGraph } from "../../../runtime/machine.ts";

export const STATUSES = ["Pending", "Running", "Suspended", "Completed", "Failed", "Terminated"] as const;
export type RuntimeStatusName = (typeof STATUSES)[number];

export interface InstanceStatusView {
  instanceId: string;
  name: string;
  status: RuntimeStatusName;
  input?: unknown;
  output?: unknown;
  error?: { name: string; message: string; stack?: string };
  customStatus?: unknown;
  createdAt?: number | string;
  updatedAt?: number | string;
  /** Only on GET /api/instances/:id: state ids of the graph where it waits. */
  position?: string[];
  /** Only on GET /api/instances/:id: the source lines of `position`. */
  waitingAt?: string[];
  /** Only on GET /api/instances/:id: the events, timers and activities it waits for. */
  waits?: { events: string[]; timers: { fireAtMs: number }[]; activities: { name: string; attempt: number }[] };
  /** The instance that started this one with ctx.callSub. */
  parentInstanceId?: string;
  version?: string;
}

/**
 * The instance history of GET /api/instances/:id/history (runtime/history.ts
 * on the host): the fields the dashboard shows, not all of them.
 */
export interface HistoryView {
  instanceId: string;
  steps: HistoryStepView[];
}

export interface HistoryStepView {
  seq: number;
  atMs: number;
  wakes: { kind: string; name?: string; instanceId?: string; ok: boolean; error?: { name: string; message: string }; attempts?: number; lastError?: { name: string; message: string } }[];
  commands: { kind: string; name?: string; instanceId?: string; entity?: string; op?: string; fireAtMs?: number }[];
  outcome: "running" | "completed" | "failed" | "continuedAsNew";
  error?: { name: string; message: string };
  /** `label` is absent when the line says it: the graph state on that line has the await's text. */
  waitsAt?: { line?: number; label?: string }[];
}

/** A refusal by the server, with its HTTP status. */
export class DevApiError extends Error {
  constructor(message: string, readonly status: number, readonly body: string) {
    super(message);
  }
}

export interface OrchestrationView {
  name: string;
  version: string;
  graph: MachineGraph;
}

export class DevApi {
  readonly base: string;

  constructor(base: string, private readonly fetchImpl: typeof fetch = (...a) => fetch(...a)) {
    const trimmed = base.trim().replace(/\/+$/, "");
    if (!/^https?:\/\/[^/]+/.test(trimmed)) throw new Error(`"${base}" is not an http(s) URL; expected e.g. http://127.0.0.1:7071`);
    this.base = trimmed;
  }

  private async request<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const url = `${this.base}${path}`;
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        // Every write is JSON, even without a body: nwc dev refuses other POSTs (415).
        ...(method === "POST" ? { body: body === undefined ? "" : JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
      });
    } catch (e) {
      throw new Error(`cannot reach ${url}: ${e instanceof Error ? e.message : String(e)} (is 'nwc dev' running?)`);
    }
    const text = await res.text();
    if (!res.ok) throw new DevApiError(`${method} ${url} answered ${res.status}: ${text.slice(0, 300)}`, res.status, text);
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      throw new Error(`${method} ${url} answered with something that is not JSON: ${text.slice(0, 120)}`);
    }
  }

  orchestrations(): Promise<OrchestrationView[]> {
    return this.request("GET", "/api/orchestrations");
  }

  list(filter: { status?: string; name?: string } = {}): Promise<InstanceStatusView[]> {
    const q = new URLSearchParams();
    if (filter.status) q.set("status", filter.status);
    if (filter.name) q.set("name", filter.name);
    const qs = q.toString();
    return this.request("GET", `/api/instances${qs ? `?${qs}` : ""}`);
  }

  status(instanceId: string): Promise<InstanceStatusView> {
    return this.request("GET", `/api/instances/${encodeURIComponent(instanceId)}`);
  }

  /** The routes the host serves (GET /api): what this version of nwc dev can do. */
  routes(): Promise<{ method: string; path: string; does: string }[]> {
    return this.request("GET", "/api");
  }

  /** The instance's history; ask `routes()` first whether the host has the route. */
  history(instanceId: string): Promise<HistoryView> {
    return this.request("GET", `/api/instances/${encodeURIComponent(instanceId)}/history`);
  }

  start(name: string, input: unknown, instanceId?: string): Promise<{ instanceId: string }> {
    return this.request("POST", "/api/instances", { name, input, ...(instanceId ? { instanceId } : {}) });
  }

  raise(instanceId: string, event: string, data: unknown): Promise<unknown> {
    return this.request("POST", `/api/instances/${encodeURIComponent(instanceId)}/events/${encodeURIComponent(event)}`, data);
  }

  terminate(instanceId: string, reason: string): Promise<unknown> {
    return this.request("POST", `/api/instances/${encodeURIComponent(instanceId)}/terminate`, { reason });
  }
}
