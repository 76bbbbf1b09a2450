/**
 * Bundles the Lambda handlers with the user's app into one CommonJS file
 * (`handlers.js`, Lambda handler names `handlers.partition`, `handlers.timer`,
 * `handlers.client`, `handlers.activity`) with esbuild, compiling the app's orchestrations on the
 * way. Invariant: the bundle is self-contained
 * (the AWS SDK included, so the function does not depend on the SDK version
 * the Lambda runtime happens to ship).
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "esbuild";
import { ownModuleUrl } from "../runtime/package-layout.ts";

export interface BundleResult {
  /** The bundled handler file. */
  code: Uint8Array;
  map: Uint8Array;
  /** Whether orchestrations were compiled by nwc's compiler (else bundled as written). */
  compiled: boolean;
  warnings: string[];
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

interface CompilerApi {
  compileSource?: (fileName: string, text: string, options?: { nodeProject?: boolean }) => {
    outputs: { fileName: string; text: string }[];
    diagnostics: { code: string; file: string; line: number; column: number; message: string; fix?: string }[];
  };
  transpileCounted?: (fileName: string, text: string) => string;
}

/**
 * Compiles the app's own TypeScript files with compiler/index.ts's
 * `compileSource` (orchestrations become machines), the others with
 * `transpileCounted` (step counting); nwc's own files and node_modules are
 * bundled as they are.
 */
async function compilePlugin(): Promise<Plugin | undefined> {
  // Bundling orchestrations uncompiled would ship a different program: a compiler
  // that cannot load is an error, never a reason to skip compiling.
  const api = (await import(ownModuleUrl("../compiler/index.ts", import.meta.url).href)) as CompilerApi;
  const { compileSource, transpileCounted } = api;
  if (typeof compileSource !== "function" || typeof transpileCounted !== "function") throw new Error("nwc deploy: this installation's compiler has no compileSource; reinstall nwc");
  const own = (path: string) => ["runtime", "compiler", "lint-rules", "deploy"].some((d) => path.startsWith(resolve(root, d) + "/"));
  return {
    name: "nwc-compile",
    setup(build) {
      build.onLoad({ filter: /\.(ts|mts)$/ }, async (args) => {
        if (args.path.includes("/node_modules/") || own(args.path)) return undefined;
        const source = await readFile(args.path, "utf8");
        // Files that define orchestrations from async functions need the compiler; the rest (already-compiled
        // machines included) only step counting, for the helpers and entity operations in them.
        if (!/\borchestration\s*\(\s*["'`][^"'`]*["'`]\s*,\s*async\b/.test(source)) {
          return { contents: transpileCounted(args.path, source), loader: "js", resolveDir: dirname(args.path) };
        }
        const out = compileSource(args.path, source, { nodeProject: true });
        if (out.diagnostics.length > 0) {
          return {
            errors: out.diagnostics.map((d) => ({
              text: `${d.code}: ${d.message}${d.fix ? ` (${d.fix})` : ""}`,
              location: { file: d.file, line: d.line, column: Math.max(0, d.column - 1) },
            })),
          };
        }
        const js = out.outputs.find((o) => /\.m?js$/.test(o.fileName));
        return js ? { contents: js.text, loader: "js", resolveDir: dirname(args.path) } : undefined;
      });
    },
  };
}

export interface BundleOptions {
  /**
   * Embed the original sources in the source map (`sourcesContent`). Off by
   * default: the map then holds only file names and mappings, enough for stack
   * traces with file:line, without shipping the app's and nwc's source code
   * inside the Lambda package.
   */
  sourcesContent?: boolean;
}

/**
 * The stored code of every orchestration version in the app (runtime/versions/):
 * the processor stores them in the tables before it runs anything, so an
 * instance started on this deploy can finish after the next one replaced it.
 */
async function versionsOf(app: string): Promise<{ name: string; version: string; code: string }[]> {
  const { bundleModule, definedVersions } = (await import(ownModuleUrl("../runtime/versions/bundle.ts", import.meta.url).href)) as typeof import("../runtime/versions/bundle.ts");
  const code = await bundleModule(app);
  return definedVersions(code).map((v) => ({ ...v, code }));
}

export async function bundleLambda(appFile: string | undefined, options: BundleOptions = {}): Promise<BundleResult> {
  const esbuild = await import("esbuild");
  const lambdaIndex = fileURLToPath(ownModuleUrl("../runtime/lambda/index.ts", import.meta.url));
  const app = appFile ? resolve(appFile) : undefined;
  const versionWarnings: string[] = [];
  const storedVersions = app
    ? await versionsOf(app).catch((error) => {
      versionWarnings.push(`the app's versions are not carried for storing (${(error as Error).message.split("\n").slice(0, 3).join("; ")}): ` +
        `an instance started on this deploy can then only be finished by a deploy of the same code`);
      return [];
    })
    : [];
  const entry = [
    `import { appFromModule, createLambdaHandlers } from ${JSON.stringify(lambdaIndex)};`,
    app ? `import * as app from ${JSON.stringify(app)};` : `const app = {};`,
    `const handlers = createLambdaHandlers(appFromModule(app), undefined, { storedVersions: ${JSON.stringify(storedVersions)} });`,
    `export const partition = handlers.partition;`,
    `export const timer = handlers.timer;`,
    `export const client = handlers.client;`,
    `export const activity = handlers.activity;`,
    `export const close = handlers.close; // not a Lambda handler: stops cached partitions (tests, local runs)`,
  ].join("\n");
  const plugin = app ? await compilePlugin() : undefined;
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: root, sourcefile: "nwc-lambda-entry.ts", loader: "ts" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile: "handlers.js",
    write: false,
    sourcemap: "external",
    sourcesContent: options.sourcesContent ?? false,
    conditions: ["source"],
    logLevel: "silent",
    plugins: plugin ? [plugin] : [],
    // Optional peer modules of the SDK's dependencies that never load on Lambda.
    external: ["aws-crt", "@aws-sdk/signature-v4-crt"],
    // Compiled machines name their module (import.meta.url) for stored versions; in the bundle there is none.
    define: { "import.meta.url": "undefined" },
  });
  const code = result.outputFiles.find((f) => f.path.endsWith(".js"))!;
  const map = result.outputFiles.find((f) => f.path.endsWith(".map"))!;
  return {
    code: code.contents,
    map: map.contents,
    compiled: plugin !== undefined,
    warnings: [...versionWarnings, ...result.warnings.map((w) => w.text)],
  };
}
