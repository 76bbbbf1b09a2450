/**
 * `nwc dev [--port 7071] [--backend memory|local] [--dir .nwc] [--allow-origin URL]... [--history-limit N] [file...]`:
 * a host running the files' orchestrations, activities and entities, with the
 * JSON HTTP API of runtime/dev-server.ts on 127.0.0.1, and the dashboard page
 * at its root (same origin as the API, so it connects on open with no flag).
 * Runs until interrupted. Browsers may call it only from its own page, the
 * playground's origin or the --allow-origin ones.
 */
import { parseArgs } from "node:util";
import { backendFromFlags, loadAppFile } from "../../runtime/app-loader.ts";
import { DEFAULT_ALLOWED_ORIGINS, normalizeOrigin } from "../../runtime/dev-access.ts";
import { DEFAULT_HISTORY_LIMIT } from "../../runtime/history.ts";
import { startDevServer } from "../../runtime/dev-server.ts";
import { startHost } from "../../runtime/host.ts";
import { builtPage, pageHandler } from "../../playground/serve.ts";

export const summary = "run a host with a JSON HTTP API and the dashboard page on 127.0.0.1";

const USAGE = `usage: nwc dev [--port 7071] [--backend memory|local] [--dir .nwc] [--allow-origin URL]... [--history-limit N] [file...]

  --allow-origin URL   a browser origin (scheme://host:port) allowed to call the API, besides
                       the playground's ${DEFAULT_ALLOWED_ORIGINS.join(" and ")}; repeatable
  --history-limit N    steps of history kept per instance (default ${DEFAULT_HISTORY_LIMIT}; 0 records none)`;

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        port: { type: "string" }, backend: { type: "string" }, dir: { type: "string" },
        "allow-origin": { type: "string", multiple: true }, "history-limit": { type: "string" }, help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    console.error(`nwc dev: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = parsed.values.port !== undefined ? Number(parsed.values.port) : 7071;
  if (!(Number.isInteger(port) && port >= 0 && port < 65536)) {
    console.error(`nwc dev: --port must be an integer from 0 to 65535, got ${parsed.values.port}`);
    return 2;
  }
  const extraOrigins = parsed.values["allow-origin"] ?? [];
  try {
    extraOrigins.forEach(normalizeOrigin);
  } catch (error) {
    console.error(`nwc dev: --allow-origin: ${(error as Error).message}`);
    return 2;
  }
  const historyText = parsed.values["history-limit"];
  const historyLimit = historyText !== undefined ? Number(historyText) : DEFAULT_HISTORY_LIMIT;
  if (!(Number.isSafeInteger(historyLimit) && historyLimit >= 0) || historyText?.trim() === "") {
    console.error(`nwc dev: --history-limit must be a whole number of steps (0 records none), got ${historyText}`);
    return 2;
  }
  const files = await Promise.all(parsed.positionals.map(loadAppFile));
  const host = await startHost({
    app: files.map((f) => f.definitions),
    backend: backendFromFlags(parsed.values.backend, parsed.values.dir),
    partitionOptions: { historyLimit },
  });
  const page = await dashboardPage();
  const dev = await startDevServer(host, { port, allowOrigins: [...DEFAULT_ALLOWED_ORIGINS, ...extraOrigins], ...(page ? { page } : {}) });
  const names = [...host.app.latest.keys()];
  console.log(`nwc dev: listening on ${dev.url}/api (orchestrations: ${names.join(", ") || "none"}; browser origins allowed: ${dev.allowedOrigins.join(", ")})`);
  if (page) console.log(`nwc dev: dashboard at ${dev.url}/`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await dev.close();
  await host.stop();
  return 0;
}

/**
 * The dashboard page, served at the API's origin: a page built earlier (the
 * installed package's, or a checkout's), never a build now, so the API starts
 * at once. Without a page, the API runs alone and says how to get one.
 */
async function dashboardPage(): Promise<ReturnType<typeof pageHandler> | undefined> {
  const page = await builtPage();
  if ("missing" in page) {
    console.error(`nwc dev: no dashboard page (${page.missing}); the API runs without it`);
    return undefined;
  }
  if (page.stale) console.error("nwc dev: the dashboard page is older than its sources; `nwc playground --rebuild` rebuilds it");
  // The page connects to whatever origin it was loaded from (127.0.0.1 or localhost, as the Host says).
  return pageHandler(page.dir, (req) => ({ devUrl: `http://${req.headers.host}`, tab: "dashboard" }));
}
