/**
 * Makes the stored code of a machine version: the module that defines the
 * orchestration, bundled with esbuild into one CommonJS text with everything
 * it imports (the sync helpers it calls, their modules, npm packages), except
 * `nwc` and `nwc/engine`, which stay imports so the code binds to the nwc of
 * whichever host loads it (load.ts). TypeScript files are compiled exactly as
 * on load (compiler/register-hooks.ts, whose on-disk cache makes this cheap
 * for files the host has just loaded).
 *
 * Invariant: the code is made from the file the machine was loaded from, and
 * refused if it no longer holds that version (the file was edited after the
 * host loaded it): a stored version is always the code the host runs.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "esbuild";
import { fileUrlPath, ownModuleUrl } from "../package-layout.ts";

/** nwc's own entry points that stored code imports by their package names. */
const OWN_ENTRIES = new Map<string, string>([
  [resolvePath("../index.ts"), "nwc"],
  [resolvePath("../engine/index.ts"), "nwc/engine"],
]);
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const OWN_DIRS = ["runtime", "compiler", "lint-rules", "cli", "deploy"].map((d) => resolve(PACKAGE_ROOT, d) + "/");

function resolvePath(sourceRelative: string): string {
  return fileURLToPath(ownModuleUrl(sourceRelative, import.meta.url));
}

type CompileFile = (path: string, text: string) => Promise<string>;

let compileFile: Promise<CompileFile> | undefined;

function compilerPlugin(): Plugin {
  return {
    name: "nwc-stored-version",
    setup(build) {
      build.onResolve({ filter: /^nwc(\/engine)?$/ }, (args) => ({ path: args.path, external: true }));
      // nwc's own entries reached by path (a repository's examples, compiled output loaded from a temporary
      // directory) are the package too; its other internals cannot be stored code.
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === "own" || args.kind === "entry-point") return undefined;
        const path = args.path.startsWith("file:") ? fileURLToPath(args.path) : args.path;
        const r = await build.resolve(path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: "own" });
        if (r.errors.length) return { errors: r.errors };
        const entry = OWN_ENTRIES.get(r.path);
        if (entry) return { path: entry, external: true };
        if (OWN_DIRS.some((d) => r.path.startsWith(d))) {
          return { errors: [{ text: `${args.path} is an internal module of nwc; import it as "nwc" so the stored code binds to the host's own nwc` }] };
        }
        return { path: r.path, external: r.external, namespace: r.namespace, sideEffects: r.sideEffects };
      });
      build.onLoad({ filter: /\.(ts|mts)$/ }, async (args) => {
        if (args.path.includes("/node_modules/")) return undefined;
        compileFile ??= import(ownModuleUrl("../../compiler/register-hooks.ts", import.meta.url).href).then((m: { compileFile: CompileFile }) => m.compileFile);
        const js = await (await compileFile)(args.path, await readFile(args.path, "utf8"));
        return { contents: js, loader: "js", resolveDir: dirname(args.path) };
      });
    },
  };
}

/** The stored code of `version` of `name`, defined in the module at `source` (a file: URL). */
export async function bundleVersion(source: string, name: string, version: string): Promise<string> {
  const path = fileUrlPath(new URL(source));
  if (!path) throw new Error(`its module ${source} is not a file`);
  const code = await bundleModule(path);
  if (!definedVersions(code).some((v) => v.name === name && v.version === version)) {
    throw new Error(`${path} no longer holds version ${version} of "${name}" (it was edited after this host loaded it); restart the host to store the new one`);
  }
  return code;
}

/** Every machine version a bundled text defines, read off its defineMachine calls (emit.ts writes them). */
export function definedVersions(code: string): { name: string; version: string }[] {
  const out: { name: string; version: string }[] = [];
  const call = /defineMachine\)?\(\{\s*name:\s*("(?:[^"\\]|\\.)*"),\s*root:[^,]*,\s*version:\s*"([A-Za-z0-9_-]+)"/g;
  for (const m of code.matchAll(call)) out.push({ name: JSON.parse(m[1]!) as string, version: m[2]! });
  return out;
}

/** A module and what it imports as one CommonJS text, `nwc` and `nwc/engine` left as imports. */
export async function bundleModule(path: string): Promise<string> {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [path],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    outfile: "version.cjs",
    logLevel: "silent",
    sourcemap: false,
    // The code runs from a stored text, not from its file.
    define: { "import.meta.url": "undefined" },
    plugins: [compilerPlugin()],
  });
  return result.outputFiles[0]!.text;
}
