/**
 * Vite build of the playground: one page (index.html), the compiler in a
 * module worker, output in playground/dist (gitignored). The "source" export
 * condition resolves nwc's own packages to their TypeScript sources.
 *
 * The page runs the host on the memory backend. The backend factory
 * (runtime/backends/index.ts) imports the local and aws backends lazily; they
 * need Node (files, sockets), so here they resolve to a stub whose factory
 * refuses with a message, instead of bundling chunks that cannot run.
 */
import { defineConfig, type Plugin } from "vite";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));
const BACKENDS_INDEX = fileURLToPath(new URL("../runtime/backends/index.ts", import.meta.url));
const NODE_ONLY_BACKEND = "\0nwc-node-only-backend";

function nodeOnlyBackends(): Plugin {
  return {
    name: "nwc-node-only-backends",
    enforce: "pre",
    resolveId(id, importer) {
      if (importer === BACKENDS_INDEX && (id === "./local/index.ts" || id === "./aws/index.ts")) return NODE_ONLY_BACKEND;
      return undefined;
    },
    load(id) {
      if (id !== NODE_ONLY_BACKEND) return undefined;
      const refuse = `() => { throw new Error("only the memory backend runs in the browser"); }`;
      return `export const createLocalBackend = ${refuse};\nexport const createAwsBackend = ${refuse};\nexport default createLocalBackend;\n`;
    },
  };
}

export default defineConfig({
  root,
  base: "./",
  plugins: [nodeOnlyBackends()],
  logLevel: "warn",
  resolve: { conditions: ["source", "browser", "module", "import", "default"] },
  worker: { format: "es", rolldownOptions: { checks: { bundlerTimings: false, pluginTimings: false } } },
  build: {
    outDir: fileURLToPath(new URL("./dist", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 12_000,
    reportCompressedSize: false,
    rolldownOptions: { checks: { bundlerTimings: false, pluginTimings: false } },
  },
  server: { host: "127.0.0.1" },
});
