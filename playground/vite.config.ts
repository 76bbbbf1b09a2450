/**
 * Vite build of the playground: one page (index.html), the compiler in a
 * module worker, output in playground/dist (gitignored). The "source" export
 * condition resolves nwc's own packages to their TypeScript sources.
 */
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "./",
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
