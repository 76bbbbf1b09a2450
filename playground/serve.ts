/**
 * Node side of the playground: builds the page with Vite's JS API when the
 * build is missing or older than its sources, and serves the built files on
 * 127.0.0.1 with a small static server, plus `/config.json` carrying the
 * default `nwc dev` URL for the dashboard.
 *
 * Invariant: the server only ever reads files inside the build folder.
 */
import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PLAYGROUND_DIR = fileURLToPath(new URL(".", import.meta.url));
export const DIST_DIR = path.join(PLAYGROUND_DIR, "dist");
const REPO_DIR = path.resolve(PLAYGROUND_DIR, "..");
/** What the page bundles: a change in any of these makes the build stale. */
const SOURCE_DIRS = ["playground", "compiler", "runtime", "lint-rules", "cli/graph"].map((d) => path.join(REPO_DIR, d));

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
  ".map": "application/json", ".wasm": "application/wasm", ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8",
};

function newestMtimeMs(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "dist" || entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export function buildIsStale(): boolean {
  const index = path.join(DIST_DIR, "index.html");
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCE_DIRS.some((d) => newestMtimeMs(d) > built);
}

/** One build at a time per checkout (parallel test files, two commands): a directory made atomically is the lock. */
const LOCK_DIR = path.join(tmpdir(), `nwc-playground-build-${Buffer.from(REPO_DIR).toString("hex").slice(-40)}.lock`);
/** A build takes seconds; a lock older than this was left by a killed process. */
const STALE_LOCK_MS = 180_000;
const LOCK_POLL_MS = 200;

async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + STALE_LOCK_MS;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const age = Date.now() - (existsSync(LOCK_DIR) ? statSync(LOCK_DIR).mtimeMs : Date.now());
      if (age > STALE_LOCK_MS || Date.now() > deadline) rmSync(LOCK_DIR, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/** Runs the Vite build (a few seconds) if needed; returns the build folder. */
export async function buildPlayground(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<string> {
  return withBuildLock(() => buildUnlocked(options));
}

async function buildUnlocked(options: { force?: boolean; log?: (line: string) => void }): Promise<string> {
  if (!options.force && !buildIsStale()) return DIST_DIR;
  options.log?.("building the playground with Vite...");
  const vite = await import("vite");
  await vite.build({ configFile: path.join(PLAYGROUND_DIR, "vite.config.ts"), logLevel: "warn" });
  if (!existsSync(path.join(DIST_DIR, "index.html"))) throw new Error(`the Vite build finished without ${path.join(DIST_DIR, "index.html")}`);
  return DIST_DIR;
}

export interface PlaygroundServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export function servePlayground(options: { port?: number; devUrl?: string; dir?: string } = {}): Promise<PlaygroundServer> {
  const dir = path.resolve(options.dir ?? DIST_DIR);
  const config = JSON.stringify({ devUrl: options.devUrl ?? "http://127.0.0.1:7071" });
  const server = createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end("method not allowed");
      return;
    }
    if (urlPath === "/config.json") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(config);
      return;
    }
    const file = path.resolve(dir, "." + (urlPath.endsWith("/") ? `${urlPath}index.html` : urlPath));
    if (!file.startsWith(dir + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${urlPath}`);
      return;
    }
    res.writeHead(200, { "content-type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" });
    res.end(req.method === "HEAD" ? undefined : readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 5173, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        url: `http://127.0.0.1:${port}/`,
        port,
        server,
        close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}
