/**
 * The instance commands against a running `nwc dev` (`--url`), through its
 * JSON HTTP API (runtime/dev-server.ts). Requests carry no Origin, as a local
 * program's, so the dev server's browser rules let them through.
 */
import type { VersionReport } from "../../runtime/versions/report.ts";
import type { InstanceHistory } from "../../runtime/history.ts";
import { childrenOf } from "../../runtime/history-reader.ts";
import type { InstanceStatus, ListFilter } from "../../runtime/client.ts";
import { notFound, NotFoundError, RefusedError, UsageError, type InstanceDetails, type InstanceTarget } from "./target.ts";
import type { UpgradeReportLine } from "../../runtime/upgrade/report.ts";

/** A dev server that does not answer in this long is not going to: say so rather than hang. */
const REQUEST_TIMEOUT_MS = 30_000;

export function openUrlTarget(url: string): InstanceTarget {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new UsageError(`--url ${JSON.stringify(url)} is not a URL; expected e.g. http://127.0.0.1:7071`);
  }
  if (base.protocol !== "http:") throw new UsageError(`--url must be http://host:port (nwc dev serves plain HTTP on 127.0.0.1), got ${url}`);
  return new UrlTarget(base.origin);
}

const seg = encodeURIComponent;

class UrlTarget implements InstanceTarget {
  readonly flag: string;

  constructor(readonly label: string) {
    this.flag = `--url ${label}`;
  }

  list(filter: ListFilter): Promise<InstanceStatus[]> {
    const q = new URLSearchParams();
    if (filter.status !== undefined) q.set("status", ([] as string[]).concat(filter.status).join(","));
    if (filter.name !== undefined) q.set("name", filter.name);
    if (filter.createdFrom !== undefined) q.set("createdFrom", String(+filter.createdFrom));
    const query = q.toString();
    return this.call("GET", `/api/instances${query ? `?${query}` : ""}`) as Promise<InstanceStatus[]>;
  }

  versions(): Promise<VersionReport[]> {
    return this.call("GET", "/api/versions") as Promise<VersionReport[]>;
  }

  async status(instanceId: string): Promise<InstanceStatus | undefined> {
    return this.show(instanceId);
  }

  async show(instanceId: string): Promise<InstanceDetails | undefined> {
    try {
      const body = (await this.call("GET", `/api/instances/${seg(instanceId)}`)) as InstanceDetails & { position?: string[] };
      delete body.position; // graph state ids: waitingAt says the same in source terms
      const history = (await this.call("GET", `/api/instances/${seg(instanceId)}/history`)) as InstanceHistory;
      return { ...body, children: childrenOf(history), history: history.steps };
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async raise(instanceId: string, event: string, data: unknown): Promise<void> {
    await this.known(instanceId, () => this.call("POST", `/api/instances/${seg(instanceId)}/events/${seg(event)}`, data));
  }

  async terminate(instanceId: string, reason: unknown): Promise<void> {
    await this.known(instanceId, () => this.call("POST", `/api/instances/${seg(instanceId)}/terminate`, { reason }));
  }

  async purge(instanceId: string): Promise<void> {
    await this.known(instanceId, () => this.call("POST", `/api/instances/${seg(instanceId)}/purge`, {}));
  }

  async readEntity(name: string, key: string): Promise<unknown> {
    try {
      return ((await this.call("GET", `/api/entities/${seg(name)}/${seg(key)}`)) as { state: unknown }).state;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async signal(name: string, key: string, op: string, input: unknown): Promise<void> {
    await this.call("POST", `/api/entities/${seg(name)}/${seg(key)}/${seg(op)}`, input);
  }

  async upgrade(orchestration: string, options: { dryRun: boolean; timeoutMs?: number }): Promise<UpgradeReportLine[]> {
    return (await this.call("POST", `/api/orchestrations/${seg(orchestration)}/upgrade`, options)) as UpgradeReportLine[];
  }

  async close(): Promise<void> {}

  private async known(instanceId: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      if (error instanceof NotFoundError) throw notFound(instanceId, this);
      throw error;
    }
  }

  /** One request; 404 is NotFoundError, other 4xx RefusedError with the server's message. */
  private async call(method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(this.label + path, {
        method,
        headers: method === "POST" ? { "Content-Type": "application/json" } : {},
        // undefined data travels as an empty body (the server reads it as undefined).
        body: method === "POST" && body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new Error(`cannot reach nwc dev at ${this.label} (${cause}); is it running? start it with nwc dev`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new Error(`${this.label} answered ${method} ${path} with ${res.status} and a body that is not JSON; is it an nwc dev server?`);
    }
    if (res.ok) return parsed;
    const message = (parsed as { error?: string } | undefined)?.error ?? `HTTP ${res.status}`;
    if (res.status === 404) throw new NotFoundError(message);
    if (res.status >= 400 && res.status < 500) throw new RefusedError(message);
    throw new Error(`${this.label}: ${message}`);
  }
}
