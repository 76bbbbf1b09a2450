/**
 * Bundles the Lambda handlers with the user's app into one CommonJS file
 * (`handlers.js`, Lambda handler names `handlers.partition`, `handlers.timer`,
 * `handlers.client`, `handlers.activity`) with esbuild, compiling the app's orchestrations on the
 * way when the compiler is available. Invariant: the bundle is self-contained
 * (the AWS SDK included, so the function does not depend on the SDK version
 * the Lambda runtime happens to ship).
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "esbuild";

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
  compileSource?: (source: string, fileName: string) => unknown;
}

/** Uses compiler/index.ts's `compileSource` on the app's own TypeScript files, if that API exists. */
async function compilePlugin(): Promise<Plugin | undefined> {
  let api: CompilerApi;
  try {
    api = (await import(new URL("../compiler/index.ts", import.meta.url).href)) as CompilerApi;
  } catch {
    return undefined;
  }
  const compileSource = api.compileSource;
  if (typeof compileSource !== "function") return undefined;
  return {
    name: "nwc-compile",
    setup(build) {
      build.onLoad({ filter: /\.(ts|mts|tsx)$/ }, async (args) => {
        if (args.path.includes("node_modules") || args.path.startsWith(root + "/runtime/") || args.path.startsWith(root + "/compiler/")) return undefined;
        const source = await readFile(args.path, "utf8");
        const out = compileSource(source, args.path) as { code?: string; diagnostics?: { message?: string; code?: string; line?: number }[] } | string;
        const code = typeof out === "string" ? out : out.code;
        const diagnostics = typeof out === "string" ? [] : out.diagnostics ?? [];
        if (diagnostics.length > 0) {
          return { errors: diagnostics.map((d) => ({ text: `${d.code ?? "nwc"}: ${d.message ?? JSON.stringify(d)}`, location: { file: args.path, line: d.line ?? 1 } })) };
        }
        return code === undefined ? undefined : { contents: code, loader: "ts" };
      });
    },
  };
}

export async function bundleLambda(appFile: string | undefined): Promise<BundleResult> {
  const esbuild = await import("esbuild");
  const lambdaIndex = resolve(root, "runtime/lambda/index.ts");
  const app = appFile ? resolve(appFile) : undefined;
  const entry = [
    `import { appFromModule, createLambdaHandlers } from ${JSON.stringify(lambdaIndex)};`,
    app ? `import * as app from ${JSON.stringify(app)};` : `const app = {};`,
    `const handlers = createLambdaHandlers(appFromModule(app));`,
    `export const partition = handlers.partition;`,
    `export const timer = handlers.timer;`,
    `export const client = handlers.client;`,
    `export const activity = handlers.activity;`,
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
    conditions: ["source"],
    logLevel: "silent",
    plugins: plugin ? [plugin] : [],
    // Optional peer modules of the SDK's dependencies that never load on Lambda.
    external: ["aws-crt", "@aws-sdk/signature-v4-crt"],
  });
  const code = result.outputFiles.find((f) => f.path.endsWith(".js"))!;
  const map = result.outputFiles.find((f) => f.path.endsWith(".map"))!;
  return {
    code: code.contents,
    map: map.contents,
    compiled: plugin !== undefined,
    warnings: result.warnings.map((w) => w.text),
  };
}
