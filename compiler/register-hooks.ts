/**
 * Node module hooks (module.register) for compile-on-load. A `.ts`/`.mts`
 * file that mentions `orchestration` or `OrchestrationContext` is compiled by
 * compileSource (type check, effect checks, translation); any diagnostic
 * fails the import with an error listing them all. Other TypeScript files are
 * type-stripped with ts.transpileModule. Outputs are cached by content hash
 * (of the source, the compiler version and this file's options) under
 * node_modules/.cache/nwc (or the OS temp directory), so repeated runs are fast.
 *
 * Invariant: a file is either compiled exactly as `nwc build` would, or its
 * import fails; never loaded uncompiled.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { contentHash } from "../runtime/engine/hash.ts";
import { formatDiagnostic } from "./diagnostics.ts";
import { compileSource } from "./index.ts";

/** Bumped when the compiler's output format changes, so stale cache entries are never used. */
const CACHE_VERSION = "nwc-register-2";

function cacheDir(): string {
  const local = join(process.cwd(), "node_modules", ".cache", "nwc");
  try {
    mkdirSync(local, { recursive: true });
    return local;
  } catch {
    const dir = join(tmpdir(), "nwc-cache");
    mkdirSync(dir, { recursive: true });
    return dir;
  }
}

/** Cheap pre-filter: only files that define an orchestration or a ctx helper go through the full compiler. */
const MENTIONS = /\borchestration\s*\(|:\s*OrchestrationContext\b/;
/** nwc's own sources are never user orchestrations. */
const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));
const OWN_DIRS = ["runtime", "compiler", "lint-rules", "cli", "deploy"].map((d) => join(PACKAGE_ROOT, d) + "/");

function compileFile(path: string, text: string): string {
  const key = contentHash(`${CACHE_VERSION}\n${ts.version}\n${path}\n${text}`);
  const dir = cacheDir();
  const cached = join(dir, `${key}.js`);
  if (existsSync(cached)) return readFileSync(cached, "utf8");
  let js: string;
  if (MENTIONS.test(text) && !OWN_DIRS.some((d) => path.startsWith(d))) {
    const result = compileSource(path, text, { nodeProject: true });
    if (result.diagnostics.length > 0) {
      throw new Error(`nwc: ${path} cannot be compiled:\n${result.diagnostics.map(formatDiagnostic).join("\n")}`);
    }
    const out = result.outputs.find((o) => /\.m?js$/.test(o.fileName));
    if (!out) throw new Error(`nwc: compiling ${path} produced no JavaScript`);
    js = out.text;
  } else {
    js = ts.transpileModule(text, {
      fileName: path,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false, sourceMap: false, inlineSourceMap: true },
    }).outputText;
  }
  writeFileSync(cached, js);
  return js;
}

export async function load(url: string, context: { format?: string }, nextLoad: (url: string, context?: unknown) => Promise<any>): Promise<any> {
  if (url.startsWith("file:") && /\.m?ts$/.test(url) && !url.includes("/node_modules/")) {
    const path = fileURLToPath(url);
    const js = compileFile(path, readFileSync(path, "utf8"));
    return { format: "module", source: js, shortCircuit: true };
  }
  return nextLoad(url, context);
}
