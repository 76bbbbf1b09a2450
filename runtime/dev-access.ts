/**
 * Who may talk to `nwc dev` (runtime/dev-server.ts). The API starts and
 * terminates instances on the developer's machine, so a web page the developer
 * happens to visit must not be able to drive it:
 *
 * - Host: only `127.0.0.1`, `localhost` or `[::1]` with the server's own port.
 *   A DNS-rebound name (`attacker.example` resolving to 127.0.0.1) arrives with
 *   its own name in Host and is refused (421).
 * - Origin: a request that carries one (browsers add it to every cross-origin
 *   fetch and to every POST) must name an allowed origin: the server's own
 *   (the dashboard page `nwc dev` serves; its Host was checked above, so a
 *   page of another site cannot claim it), the playground served by `nwc
 *   playground` (port 5173); `--allow-origin` adds others. Anything else is refused (403) without CORS headers, so the page
 *   can read nothing, not even the error. Requests without Origin (curl, the
 *   CLI, Node's fetch from a script) come from local programs and are allowed.
 * - Writes (POST) must be `Content-Type: application/json`: an HTML form or a
 *   "simple" cross-origin fetch (text/plain, no preflight) cannot send that.
 *
 * Invariant: a refused request is answered before its body is read or any
 * route runs, so it changes nothing.
 */
import type { IncomingMessage } from "node:http";

/** The playground's own origins (`nwc playground` serves on 127.0.0.1:5173; browsers may call it localhost). */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = ["http://127.0.0.1:5173", "http://localhost:5173"];

/** Host names the server answers to: loopback only (it listens on 127.0.0.1). */
const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"];

export class AccessError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** `http://host:port` as browsers send it in Origin (no path, no trailing slash); throws on anything else. */
export function normalizeOrigin(origin: string): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new TypeError(`allowed origin ${JSON.stringify(origin)} is not a URL; expected e.g. http://127.0.0.1:5173`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`allowed origin ${JSON.stringify(origin)} must be http(s)`);
  if (url.pathname !== "/" || url.search || url.hash || url.username) {
    throw new TypeError(`allowed origin ${JSON.stringify(origin)} must be scheme://host[:port] only, without a path`);
  }
  return url.origin;
}

export class DevAccess {
  private readonly origins: Set<string>;

  constructor(allowedOrigins: readonly string[] = DEFAULT_ALLOWED_ORIGINS) {
    this.origins = new Set(allowedOrigins.map(normalizeOrigin));
  }

  get allowedOrigins(): string[] {
    return [...this.origins];
  }

  /**
   * Checks Host and Origin; returns the CORS headers for the answer (none when
   * the request has no Origin). Throws AccessError for a refused request.
   */
  check(req: IncomingMessage, port: number): Record<string, string> {
    const host = req.headers.host?.toLowerCase();
    const hosts = LOOPBACK_HOSTS.map((h) => `${h}:${port}`);
    if (!host || !hosts.includes(host)) {
      throw new AccessError(421, `Host ${JSON.stringify(req.headers.host ?? "")} is not this server; nwc dev answers only ${hosts.join(", ")}`);
    }
    const origin = req.headers.origin;
    if (origin === undefined) return {};
    // Same origin: the page this server served. Browsers send Origin on its POSTs too; no CORS headers needed.
    if (LOOPBACK_HOSTS.some((h) => origin === `http://${h}:${port}`)) return {};
    if (!this.origins.has(origin)) {
      throw new AccessError(403, `origin ${origin} may not use this API; start nwc dev with --allow-origin ${origin} to allow it`);
    }
    return {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
      "Access-Control-Allow-Headers": "Content-Type",
      Vary: "Origin",
    };
  }
}

/** Writes must declare JSON: the one content type a cross-origin page cannot send without a preflight. */
export function requireJsonContentType(req: IncomingMessage): void {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    throw new AccessError(415, `${req.method} needs Content-Type: application/json (got ${JSON.stringify(req.headers["content-type"] ?? "none")})`);
  }
}
