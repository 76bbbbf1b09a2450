/**
 * The JSON HTTP API of `nwc dev` (and of the playground dashboard), on
 * 127.0.0.1 with CORS open (Access-Control-Allow-Origin: *):
 *
 *   GET  /api/orchestrations                 -> [{ name, version, graph }]
 *   POST /api/instances {name,input,instanceId?} -> { instanceId }
 *   GET  /api/instances?status=&name=        -> [status]
 *   GET  /api/instances/:id                  -> status + position
 *   POST /api/instances/:id/events/:name     (body = event data)
 *   POST /api/instances/:id/terminate {reason}
 *
 * Errors are `{ error: message }` with a 4xx status (5xx only for bugs).
 * Invariant: a request with malformed JSON or bad input changes nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { decode } from "./codec.ts";
import type { Host } from "./host.ts";
import { partitionOfInstance } from "./partitions/hash.ts";
import { instanceKey, type InstanceRecord } from "./partitions/state/instance.ts";
import { readCommittedObject } from "./inspect.ts";

/** Request bodies above this are refused: one payload (256 KiB) encoded, plus room for the envelope. */
export const MAX_BODY_BYTES = 1024 * 1024;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type",
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { ...CORS, "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

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
  if (error instanceof HttpError) return error;
  const e = error as Error;
  const status = e.name === "InstanceNotFoundError" ? 404 : e.name === "PayloadTooLarge" ? 413 : 400;
  return new HttpError(status, e.message);
}

export async function startDevServer(host: Host, options: { port?: number; hostname?: string } = {}): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const client = host.client;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? "GET";
    if (method === "OPTIONS") {
      res.writeHead(204, CORS);
      res.end();
      return;
    }
    if (parts[0] !== "api") throw new HttpError(404, `no route ${method} ${url.pathname}; the API is under /api`);
    if (parts[1] === "orchestrations" && parts.length === 2 && method === "GET") {
      return send(res, 200, [...host.app.latest.values()].map((m) => ({ name: m.name, version: m.version, graph: m.graph })));
    }
    if (parts[1] === "instances" && parts.length === 2) {
      if (method === "POST") {
        const body = (await readJson(req, true)) as { name?: unknown; input?: unknown; instanceId?: unknown };
        if (typeof body !== "object" || body === null || typeof body.name !== "string") throw new HttpError(400, 'expected { "name": "<orchestration>", "input": ..., "instanceId"?: "..." }');
        if (body.instanceId !== undefined && typeof body.instanceId !== "string") throw new HttpError(400, "instanceId must be a string");
        const instanceId = await client.start(body.name, body.input, body.instanceId ? { instanceId: body.instanceId } : {}).catch((e) => {
          throw userError(e);
        });
        return send(res, 201, { instanceId });
      }
      if (method === "GET") {
        const status = url.searchParams.get("status") || undefined;
        const name = url.searchParams.get("name") || undefined;
        const list = await client.list({ name, status: status ? (status.split(",") as any) : undefined }).catch((e) => {
          throw userError(e);
        });
        return send(res, 200, list);
      }
    }
    if (parts[1] === "instances" && parts.length >= 3) {
      const id = parts[2];
      if (parts.length === 3 && method === "GET") {
        const status = await client.status(id);
        if (!status) throw new HttpError(404, `no instance with id ${JSON.stringify(id)}`);
        return send(res, 200, { ...status, position: await positionOf(host, id) });
      }
      if (parts.length === 5 && parts[3] === "events" && method === "POST") {
        const data = await readJson(req, false);
        await client.raise(id, parts[4], data).catch((e) => {
          throw userError(e);
        });
        return send(res, 202, { ok: true });
      }
      if (parts.length === 4 && parts[3] === "terminate" && method === "POST") {
        const body = (await readJson(req, false)) as { reason?: unknown } | undefined;
        await client.terminate(id, body?.reason).catch((e) => {
          throw userError(e);
        });
        return send(res, 202, { ok: true });
      }
    }
    throw new HttpError(404, `no route ${method} ${url.pathname}`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error) => {
      const e = error instanceof HttpError ? error : new HttpError(500, (error as Error)?.message ?? String(error));
      if (!res.headersSent) send(res, e.status, { error: e.message });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 7071, options.hostname ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Machine.position of the instance's committed frame, if it has one. */
async function positionOf(host: Host, instanceId: string): Promise<string[] | undefined> {
  const partition = partitionOfInstance(instanceId, host.client.partitionCount);
  const rec = (await readCommittedObject(host.backend.store, partition, instanceKey(instanceId))) as InstanceRecord | undefined;
  if (!rec || rec.frame === null) return undefined;
  const machine = host.app.machine(rec.name, rec.version);
  if (!machine?.position) return undefined;
  try {
    return machine.position(decode(rec.frame));
  } catch {
    return undefined;
  }
}
