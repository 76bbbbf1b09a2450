/**
 * Loading an application from source files for `nwc run` and `nwc dev`: the
 * compile-on-load hook is installed first (compiler/register.ts, when this
 * build has it), then each file is imported and its exported orchestrations,
 * activities and entities are collected.
 *
 * Invariant: a file that cannot be found, or exports nothing runnable, is an
 * error naming the file and what was expected.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Orchestration } from "./api.ts";
import type { BackendSpec } from "./backends/index.ts";
import { ownModuleUrl } from "./package-layout.ts";

export interface LoadedFile {
  path: string;
  exports: Record<string, unknown>;
  definitions: unknown[];
}

let registered = false;

/** Installs the compiler's load hook if this build has one; returns whether it did. */
export async function installCompileOnLoad(): Promise<boolean> {
  if (registered) return true;
  const url = ownModuleUrl("../compiler/register.ts", import.meta.url);
  if (!existsSync(fileURLToPath(url))) return false;
  await import(url.href);
  registered = true;
  return true;
}

export async function loadAppFile(file: string): Promise<LoadedFile> {
  const path = resolve(file);
  if (!existsSync(path)) throw new Error(`file not found: ${file}`);
  if (!(await installCompileOnLoad())) throw new Error("this nwc installation has no compiler (compiler/register is missing); reinstall nwc");
  const exports = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const definitions = Object.values(exports).filter((v) => {
    const kind = (v as { kind?: unknown } | null)?.kind;
    return kind === "orchestration" || kind === "activity" || kind === "entity";
  });
  if (definitions.length === 0) throw new Error(`${file} exports no orchestration, activity or entity; export the values of orchestration(), activity() and entity()`);
  return { path, exports, definitions };
}

export function findOrchestration(files: LoadedFile[], name: string): Orchestration {
  for (const f of files) {
    for (const [key, v] of Object.entries(f.exports)) {
      const o = v as Orchestration;
      if (o?.kind === "orchestration" && (o.name === name || key === name)) return o;
    }
  }
  const known = files.flatMap((f) => f.definitions.filter((d) => (d as Orchestration).kind === "orchestration").map((d) => (d as Orchestration).name));
  throw new Error(`no orchestration named "${name}" in ${files.map((f) => f.path).join(", ")}; it has ${known.join(", ") || "none"}`);
}

/** `--backend memory|local` and `--dir`: local is the default once this build has it. */
export function backendFromFlags(kind: string | undefined, dir: string | undefined): BackendSpec {
  const localAvailable = existsSync(fileURLToPath(ownModuleUrl("./backends/local/index.ts", import.meta.url)));
  const chosen = kind ?? (localAvailable ? "local" : "memory");
  if (chosen === "memory") return "memory";
  if (chosen === "local") return { kind: "local", dir: dir ?? ".nwc" };
  throw new Error(`--backend must be memory or local, got ${JSON.stringify(kind)}`);
}
