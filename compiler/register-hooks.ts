/**
 * Node module hooks (module.register) for compile-on-load. A `.ts`/`.mts`
 * file that mentions `orchestration` or `OrchestrationContext` is compiled by
 * compileSource (type check, effect checks, translation); any diagnostic
 * fails the import with an error listing them all. Other TypeScript files are
 * type-stripped with ts.transpileModule, and counted for the step budget
 * (transpile.ts). Outputs are cached under
 * node_modules/.cache/nwc (or the OS temp directory), keyed by the file's path
 * and text, the TypeScript version and this nwc build; an entry also records
 * every user file the compiler read (the checks follow calls into imported
 * modules), and is used only while none of them changed.
 *
 * A warm start loads neither TypeScript nor the compiler: they are imported on
 * the first cache miss only (TypeScript alone takes most of a second to load).
 *
 * `compileFile` is also how runtime/versions/bundle.ts compiles the files of
 * a stored version (the same output, mostly from this cache).
 *
 * Invariant: a file is either compiled exactly as `nwc build` would, or its
 * import fails; never loaded uncompiled, never from a stale cache entry.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isBuilt } from "../runtime/package-layout.ts";
import { inlineSourceMapComment, type RawSourceMap } from "./source-map.ts";

/** Bumped when the cache entry format changes. */
const CACHE_VERSION = "nwc-register-5";

/** Cheap pre-filter: only files that define an orchestration or a ctx helper go through the full compiler. */
const MENTIONS = /\borchestration\s*\(|:\s*OrchestrationContext\b/;
/** nwc's own sources are never user orchestrations. */
const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));
const OWN_DIRS = ["runtime", "compiler", "lint-rules", "cli", "deploy"].map((d) => join(PACKAGE_ROOT, d) + "/");

interface CacheEntry {
  /** sha256 of each file the compiler read, by path. */
  inputs: Record<string, string>;
  js: string;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

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

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * What identifies the compiler that made a cache entry: the TypeScript version
 * and this nwc build (its build stamp when built, the newest compiler source
 * in a checkout, where the compiler itself may be edited between runs).
 */
function compilerIdentity(): string {
  const require = createRequire(import.meta.url);
  const tsVersion = (JSON.parse(readFileSync(require.resolve("typescript/package.json"), "utf8")) as { version: string }).version;
  const stamp = join(PACKAGE_ROOT, ".build-stamp");
  const nwc = isBuilt(import.meta.url)
    ? (existsSync(stamp) ? readFileSync(stamp, "utf8").trim() : (JSON.parse(readFileSync(join(PACKAGE_ROOT, "..", "package.json"), "utf8")) as { version: string }).version)
    : String(Math.max(...["compiler", "lint-rules", "runtime"].map((d) => newestMtimeMs(join(PACKAGE_ROOT, d)))));
  return `${tsVersion}\n${nwc}`;
}

let identity: string | undefined;

function readEntry(file: string): CacheEntry | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const entry = JSON.parse(readFileSync(file, "utf8")) as CacheEntry;
    for (const [path, hash] of Object.entries(entry.inputs)) {
      if (!existsSync(path) || sha256(readFileSync(path, "utf8")) !== hash) return undefined;
    }
    return entry;
  } catch {
    return undefined; // a damaged entry is only a miss: the file is compiled again
  }
}

function writeEntry(file: string, entry: CacheEntry): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(entry));
  renameSync(tmp, file); // readers in other processes see a whole entry or none
}

export async function compileFile(path: string, text: string): Promise<string> {
  identity ??= compilerIdentity();
  const entryFile = join(cacheDir(), `${sha256(`${CACHE_VERSION}\n${identity}\n${path}\n${text}`)}.json`);
  const cached = readEntry(entryFile);
  if (cached) return cached.js;
  const inputs: Record<string, string> = { [path]: sha256(text) };
  let js: string;
  if (MENTIONS.test(text) && !OWN_DIRS.some((d) => path.startsWith(d))) {
    const { compileSource } = await import("./index.ts");
    const { printableDiagnostics } = await import("./print.ts");
    const result = compileSource(path, text, { nodeProject: true, compilerOptions: { sourceMap: true } });
    if (result.diagnostics.length > 0) throw new Error(`${path} cannot be compiled:\n\n${printableDiagnostics(result.diagnostics)}`);
    const out = result.outputs.find((o) => /\.m?js$/.test(o.fileName));
    if (!out) throw new Error(`compiling ${path} produced no JavaScript`);
    // The map goes inline: the loaded module's URL is the .ts file itself.
    const map = result.outputs.find((o) => o.fileName === `${out.fileName}.map`);
    js = map ? out.text.replace(/\/\/# sourceMappingURL=\S+\s*$/, inlineSourceMapComment(JSON.parse(map.text) as RawSourceMap)) : out.text;
    for (const input of result.inputs ?? []) {
      if (input !== path && existsSync(input)) inputs[input] = sha256(readFileSync(input, "utf8"));
    }
  } else if (OWN_DIRS.some((d) => path.startsWith(d))) {
    // nwc's own sources (a checkout), the compiler's among them: stripped with TypeScript alone, since
    // loading transpile.ts here would come back through this hook for transpile.ts itself.
    const ts = (await import("typescript")).default;
    js = ts.transpileModule(text, {
      fileName: path,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false, sourceMap: false, inlineSourceMap: true },
    }).outputText;
  } else {
    // Counted: its helpers and entity operations run inside steps and operations (transpile.ts).
    const { transpileCounted } = await import("./transpile.ts");
    js = transpileCounted(path, text);
  }
  writeEntry(entryFile, { inputs, js });
  return js;
}

export async function load(url: string, context: { format?: string }, nextLoad: (url: string, context?: unknown) => Promise<any>): Promise<any> {
  if (url.startsWith("file:") && /\.m?ts$/.test(url) && !url.includes("/node_modules/")) {
    const path = fileURLToPath(url);
    const js = await compileFile(path, readFileSync(path, "utf8"));
    return { format: "module", source: js, shortCircuit: true };
  }
  return nextLoad(url, context);
}
