/**
 * The JSON HTTP API of `nwc dev` (and of the playground dashboard), on
 * 127.0.0.1; who may call it is decided in runtime/dev-access.ts (loopback
 * Host only, allowed origins only, JSON writes only). The routes are the
 * table ROUTES below; `GET /api` lists them.
 *
 * Errors are `{ error: message }` with a 4xx status (5xx only for bugs, and
 * then the message only: stack traces with server paths are logged, not sent).
 * Invariant: a request with malformed JSON or bad input changes nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AccessError, DevAccess, requireJsonContentType } from "./dev-access.ts";
import type { Host } from "./host.ts";
import { describeState, positionOf, readInstanceRecord, readPendingWaits, type PendingWaits } from "./instance-waits.ts";

/** Request bodies above this are refused: one payload (256 KiB) encoded, plus room for the envelope. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A refusal the client caused; AccessError is one too (same shape: status and message). */
class HttpError extends AccessError {}

async function readJson(req: IncomingMessage, required: boolean): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") {
    if (required) throw new HttpError(400, "request body must be JSON");
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
}

function userError(error: unknown): HttpError {
  if (error instanceof AccessError) return error;
  const e = error as Error;
  const status = e.name === "InstanceNotFoundError" ? 404 : e.name === "InstanceNotFinishedError" ? 409 : e.name === "PayloadTooLarge" ? 413 : 400;
  return new HttpError(status, e.message);
}

/** Runs a client call, turning what it refuses (unknown name, bad id, ...) into a 4xx. */
function asUser<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((e) => {
    throw userError(e);
  });
}

/** A path segment, percent-decoded; a malformed escape (`%E0%A4%A`) is the client's mistake, not a 500. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `malformed percent-encoding in the path segment ${JSON.stringify(segment)}`);
  }
}

interface Request {
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
}

interface Route {
  method: "GET" | "POST";
  /** Segments; `:name` binds a parameter. */
  path: string;
  does: string;
  handle(r: Request): Promise<[status: number, body: unknown]>;
}

function routes(host: Host): Route[] {
  const client = host.client;
  const list: Route[] = [
    {
      method: "GET", path: "/api", does: "this list of routes",
      handle: async () => [200, list.map(({ method, path, does }) => ({ method, path, does }))],
    },
    {
      method: "GET", path: "/api/orchestrations", does: "the orchestrations: [{ name, version, graph }]",
      handle: async () => [200, [...host.app.latest.values()].map((m) => ({ name: m.name, version: m.version, graph: m.graph }))],
    },
    {
      method: "GET", path: "/api/versions", does: "the stored machine versions: [{ name, version, storedAt, bytes, instances: { Pending, Running, Suspended } }]",
      handle: async () => [200, await client.versions()],
    },
    {
      method: "POST", path: "/api/instances", does: "start one: body { name, input, instanceId? } -> { instanceId }",
      async handle({ req }) {
        const body = (await readJson(req, true)) as { name?: unknown; input?: unknown; instanceId?: unknown };
        if (typeof body !== "object" || body === null || typeof body.name !== "string") throw new HttpError(400, 'expected { "name": "<orchestration>", "input": ..., "instanceId"?: "..." }');
        if (body.instanceId !== undefined && (typeof body.instanceId !== "string" || body.instanceId === "")) {
          throw new HttpError(400, "instanceId must be a non-empty string; leave it out to get a new random id");
        }
        const instanceId = await asUser(client.start(body.name, body.input, body.instanceId !== undefined ? { instanceId: body.instanceId } : {}));
        return [201, { instanceId }];
      },
    },
    {
      method: "GET", path: "/api/instances", does: "statuses, filtered by ?status=Running,Failed&name=<orchestration>&createdFrom=<epoch ms>",
      async handle({ query }) {
        const status = query.get("status") || undefined;
        const name = query.get("name") || undefined;
        const from = query.get("createdFrom") || undefined;
        const createdFrom = from !== undefined ? Number(from) : undefined;
        if (createdFrom !== undefined && !Number.isFinite(createdFrom)) throw new HttpError(400, `createdFrom must be epoch milliseconds, got ${JSON.stringify(from)}`);
        return [200, await asUser(client.list({ name, status: status ? (status.split(",") as any) : undefined, createdFrom }))];
      },
    },
    {
      method: "GET", path: "/api/instances/:id", does: "one status, with the graph position where it waits (position: state ids, waitingAt: source lines) and its pending waits",
      async handle({ params: { id } }) {
        const status = await asUser(client.status(id!));
        if (!status) throw new HttpError(404, `no instance with id ${JSON.stringify(id)}`);
        return [200, { ...status, ...(await whereItWaits(host, id!)) }];
      },
    },
    {
      method: "GET", path: "/api/instances/:id/history", does: "its history, oldest step first: { instanceId, steps: [{ seq, atMs, execution, wakes, commands, outcome, error?, waitsAt? }] } (docs/cli-instances.md)",
      async handle({ params: { id } }) {
        const status = await asUser(client.status(id!));
        if (!status) throw new HttpError(404, `no instance with id ${JSON.stringify(id)}`);
        return [200, await asUser(client.history(id!))];
      },
    },
    {
      method: "POST", path: "/api/instances/:id/events/:name", does: "raise an event; body = its data",
      async handle({ req, params: { id, name } }) {
        const data = await readJson(req, false);
        await asUser(client.raise(id!, name!, data));
        return [202, { ok: true }];
      },
    },
    {
      method: "POST", path: "/api/instances/:id/terminate", does: "terminate; body { reason }",
      async handle({ req, params: { id } }) {
        const body = (await readJson(req, false)) as { reason?: unknown } | undefined;
        await asUser(client.terminate(id!, body?.reason));
        return [202, { ok: true }];
      },
    },
    {
      method: "POST", path: "/api/instances/:id/purge", does: "delete a finished instance's state (409 if it is not finished)",
      async handle({ params: { id } }) {
        await asUser(client.purge(id!));
        return [202, { ok: true }];
      },
    },
    {
      method: "POST", path: "/api/orchestrations/:name/upgrade", does: "move its waiting instances to the latest version; body { dryRun?, timeoutMs? }; one report line per instance (docs/runtime.md)",
      async handle({ req, params: { name } }) {
        const body = (await readJson(req, false)) as { dryRun?: unknown; timeoutMs?: unknown } | undefined;
        if (body?.timeoutMs !== undefined && typeof body.timeoutMs !== "number") throw new HttpError(400, "timeoutMs must be a number of milliseconds");
        const lines = await asUser(client.upgrade({ name: name!, status: ["Pending", "Running"] }, {
          to: "latest", dryRun: body?.dryRun === true, ...(typeof body?.timeoutMs === "number" ? { timeoutMs: body.timeoutMs } : {}),
        }));
        return [200, lines];
      },
    },
    {
      method: "GET", path: "/api/entities/:name/:key", does: "an entity's state: { name, key, state } (404 if it has none)",
      async handle({ params: { name, key } }) {
        const state = await asUser(client.readEntity(name!, key!));
        if (state === undefined) throw new HttpError(404, `entity ${name}/${key} has no state`);
        return [200, { name, key, state }];
      },
    },
    {
      method: "POST", path: "/api/entities/:name/:key/:op", does: "signal an operation; body = its input",
      async handle({ req, params: { name, key, op } }) {
        const input = await readJson(req, false);
        await asUser(client.signal(name!, key!, op!, input));
        return [202, { ok: true }];
      },
    },
  ];
  return list;
}

/** The route whose segments match, with its parameters decoded; undefined when none does. */
function match(route: Route, segments: string[]): Record<string, string> | undefined {
  const pattern = route.path.split("/").filter(Boolean);
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i]!.startsWith(":")) params[pattern[i]!.slice(1)] = decodeSegment(segments[i]!);
    else if (pattern[i] !== segments[i]) return undefined;
  }
  return params;
}

export interface DevServerOptions {
  port?: number;
  hostname?: string;
  /** Browser origins allowed to call the API (default: the playground's, runtime/dev-access.ts). */
  allowOrigins?: readonly string[];
  /** Where 5xx details go (default console.error). */
  log?: (message: string) => void;
  /**
   * Serves what is not under /api (GET and HEAD): the dashboard page, so that
   * it is same-origin with the API. Given by `nwc dev` (playground/serve.ts);
   * without it those paths are 404.
   */
  page?: (req: IncomingMessage, res: ServerResponse) => void;
}

export async function startDevServer(host: Host, options: DevServerOptions = {}): Promise<{ server: Server; url: string; allowedOrigins: string[]; close(): Promise<void> }> {
  const access = new DevAccess(options.allowOrigins);
  const table = routes(host);
  const log = options.log ?? ((m: string) => console.error(m));
  let port = 0;

  async function route(req: IncomingMessage, res: ServerResponse, cors: Record<string, string>): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    if (method === "OPTIONS") {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    const segments = url.pathname.split("/").filter(Boolean);
    if (segments[0] !== "api" && options.page && (method === "GET" || method === "HEAD")) return options.page(req, res);
    if (method === "POST") requireJsonContentType(req);
    if (segments[0] !== "api") throw new HttpError(404, `no route ${method} ${url.pathname}; the API is under /api (GET /api lists the routes)`);
    for (const r of table) {
      if (r.method !== method) continue;
      const params = match(r, segments);
      if (!params) continue;
      const [status, body] = await r.handle({ req, params, query: url.searchParams });
      return send(res, status, body, cors);
    }
    throw new HttpError(404, `no route ${method} ${url.pathname} (GET /api lists the routes)`);
  }

  const server = createServer((req, res) => {
    let cors: Record<string, string> = {};
    const answer = async () => {
      cors = access.check(req, port);
      await route(req, res, cors);
    };
    answer().catch((error) => {
      let e: AccessError;
      if (error instanceof AccessError) e = error;
      else {
        log(`nwc dev: ${req.method} ${req.url} failed: ${(error as Error)?.stack ?? String(error)}`);
        e = new HttpError(500, `internal error: ${(error as Error)?.message ?? String(error)}`);
      }
      if (!res.headersSent) send(res, e.status, { error: e.message }, cors);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 7071, options.hostname ?? "127.0.0.1", () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    allowedOrigins: access.allowedOrigins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function send(res: ServerResponse, status: number, body: unknown, cors: Record<string, string>): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { ...cors, "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** Where the instance stands: graph state ids, their source lines, and what it waits for. */
async function whereItWaits(host: Host, instanceId: string): Promise<{ position?: string[]; waitingAt?: string[]; waits?: PendingWaits }> {
  const rec = await readInstanceRecord(host.backend.store, host.client.partitionCount, instanceId);
  if (!rec) return {};
  const machine = host.app.machine(rec.name, rec.version);
  const position = positionOf(machine, rec);
  return {
    position,
    waitingAt: position?.map((state) => describeState(state, machine?.graph)),
    waits: await readPendingWaits(host.backend.store, host.client.partitionCount, rec),
  };
}
