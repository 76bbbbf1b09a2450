/**
 * Node side of the playground: finds the built page and serves it on
 * 127.0.0.1 with a small static server, plus `/config.json` carrying the
 * default `nwc dev` URL for the dashboard (`nwc dev` serves the same page with
 * the same handler, from its own origin). The installed package ships the page
 * prebuilt (dist/playground/static, made by `npm run build`); a source checkout
 * builds it with Vite on demand (playground/build.ts), so Vite is never needed at
 * run time by users.
 *
 * Invariant: the server only ever reads files inside the build folder.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isBuilt, ownModuleUrl } from "../runtime/package-layout.ts";

/** The prebuilt page of the installed package (next to the compiled serve.js). */
const PREBUILT_DIR = fileURLToPath(new URL("./static/", import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
  ".map": "application/json", ".wasm": "application/wasm", ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8",
};

/**
 * The folder of the built page: the package's prebuilt assets, or (in a source
 * checkout) a Vite build made now if missing or older than its sources.
 */
export async function buildPlayground(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<string> {
  if (isBuilt(import.meta.url)) {
    if (!existsSync(path.join(PREBUILT_DIR, "index.html"))) {
      throw new Error(`this nwc installation has no prebuilt playground (${PREBUILT_DIR}index.html is missing); reinstall nwc, or run "npm run build" in a checkout`);
    }
    return PREBUILT_DIR;
  }
  const build = (await import(ownModuleUrl("./build.ts", import.meta.url).href)) as typeof import("./build.ts");
  return build.buildFromSources(options);
}

/**
 * The folder of a page built earlier, never building one: `nwc dev` serves it
 * and must start at once (a Vite build takes most of a minute). The installed
 * package's prebuilt page; in a checkout, the source build (playground/dist,
 * made by `nwc playground` and the browser tests), else the prebuilt page of
 * `npm run build`. `stale`: a checkout's build older than its sources.
 */
export async function builtPage(): Promise<{ dir: string; stale: boolean } | { missing: string }> {
  if (isBuilt(import.meta.url)) {
    return existsSync(path.join(PREBUILT_DIR, "index.html")) ? { dir: PREBUILT_DIR, stale: false } : { missing: `${PREBUILT_DIR}index.html is missing; reinstall nwc` };
  }
  const build = (await import(ownModuleUrl("./build.ts", import.meta.url).href)) as typeof import("./build.ts");
  if (existsSync(path.join(build.DIST_DIR, "index.html"))) return { dir: build.DIST_DIR, stale: build.buildIsStale() };
  const packaged = fileURLToPath(new URL("../dist/playground/static/", import.meta.url));
  if (existsSync(path.join(packaged, "index.html"))) return { dir: packaged, stale: false };
  return { missing: "this checkout has no built page; build it with `nwc playground --rebuild` or `npm run build`" };
}

export interface PlaygroundServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/**
 * A handler serving the built page from `dir` (GET and HEAD), plus
 * `/config.json` from `config(req)`. Shared by `nwc playground` and `nwc dev`,
 * which serves the dashboard from its own origin.
 */
export function pageHandler(dir: string, config: (req: IncomingMessage) => object): (req: IncomingMessage, res: ServerResponse) => void {
  const root = path.resolve(dir);
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end("method not allowed");
      return;
    }
    let urlPath: string;
    try {
      urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      res.writeHead(400, { "content-type": "text/plain" }).end("malformed percent-encoding in the path");
      return;
    }
    if (urlPath === "/config.json") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(config(req)));
      return;
    }
    const file = path.resolve(root, "." + (urlPath.endsWith("/") ? `${urlPath}index.html` : urlPath));
    if (!file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${urlPath}`);
      return;
    }
    res.writeHead(200, { "content-type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" });
    res.end(req.method === "HEAD" ? undefined : readFileSync(file));
  };
}

export function servePlayground(options: { port?: number; devUrl?: string; dir?: string } = {}): Promise<PlaygroundServer> {
  const dir = options.dir ?? (isBuilt(import.meta.url) ? PREBUILT_DIR : path.join(fileURLToPath(new URL(".", import.meta.url)), "dist"));
  const config = { devUrl: options.devUrl ?? "http://127.0.0.1:7071" };
  const server = createServer(pageHandler(dir, () => config));
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
