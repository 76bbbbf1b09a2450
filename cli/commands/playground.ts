/**
 * `nwc playground [--port 5173] [--dev-url http://127.0.0.1:7071] [--rebuild]`:
 * builds the browser playground (Vite) if its build is missing or stale, then
 * serves it on 127.0.0.1 and prints the URL. The dashboard tab connects to
 * `--dev-url` (a running `nwc dev`) by default.
 */
import { buildPlayground, servePlayground } from "../../playground/serve.ts";
import { DEFAULT_ALLOWED_ORIGINS } from "../../runtime/dev-access.ts";

export const summary = "open the browser playground and the dev dashboard (serves on 127.0.0.1)";

const USAGE = "usage: nwc playground [--port 5173] [--dev-url http://127.0.0.1:7071] [--rebuild]";

export function parsePlaygroundArgs(args: string[]): { port: number; devUrl: string; rebuild: boolean } {
  const out = { port: 5173, devUrl: "http://127.0.0.1:7071", rebuild: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === "--port") {
      const port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer in 0..65535\n${USAGE}`);
      out.port = port;
    } else if (flag === "--dev-url") {
      const url = value();
      if (!/^https?:\/\/[^/]+/.test(url)) throw new Error(`--dev-url "${url}" is not an http(s) URL\n${USAGE}`);
      out.devUrl = url;
    } else if (flag === "--rebuild") out.rebuild = true;
    else throw new Error(`unknown option "${a}"\n${USAGE}`);
  }
  return out;
}

export async function run(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  let opts;
  try {
    opts = parsePlaygroundArgs(args);
  } catch (e) {
    console.error(`nwc playground: ${(e as Error).message}`);
    return 2;
  }
  await buildPlayground({ force: opts.rebuild, log: (line) => console.log(line) });
  const server = await servePlayground({ port: opts.port, devUrl: opts.devUrl });
  console.log(`nwc playground: ${server.url}  (dashboard: ${server.url}?tab=dashboard, nwc dev at ${opts.devUrl})`);
  const origin = new URL(server.url).origin;
  // nwc dev answers browsers only from allowed origins: say how to allow this one when it is not a default.
  if (!DEFAULT_ALLOWED_ORIGINS.includes(origin)) console.log(`nwc playground: for the dashboard, start nwc dev with --allow-origin ${origin}`);
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}
