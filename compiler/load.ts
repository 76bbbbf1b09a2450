/**
 * Loads compiled output into this Node process (tests, benchmarks, `nwc run`):
 * writes the emitted JavaScript under a temporary directory, with "nwc" and
 * "nwc/engine" pointed at this package's files, and imports it.
 *
 * Invariant: the loaded modules share the engine and codec instances of the
 * caller (same file URLs), so their frames encode with the caller's codec.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { ownModuleUrl } from "../runtime/package-layout.ts";

const API_URL = ownModuleUrl("../runtime/index.ts", import.meta.url).href;
const ENGINE_URL = ownModuleUrl("../runtime/engine/index.ts", import.meta.url).href;

let counter = 0;

/** Imports each output whose name matches `entry` (default: every .js output); returns the module namespaces by source-relative name. */
export async function loadCompiled(outputs: { fileName: string; text: string }[]): Promise<Map<string, Record<string, unknown>>> {
  const root = mkdtempSync(join(tmpdir(), `nwc-load-${process.pid}-${counter++}-`));
  const written: { fileName: string; path: string }[] = [];
  for (const o of outputs) {
    if (!/\.m?js$/.test(o.fileName)) continue;
    const path = join(root, o.fileName.replace(/\.js$/, ".mjs"));
    mkdirSync(dirname(path), { recursive: true });
    const text = o.text
      .replace(/from\s+"nwc\/engine"/g, `from ${JSON.stringify(ENGINE_URL)}`)
      .replace(/from\s+"nwc"/g, `from ${JSON.stringify(API_URL)}`)
      .replace(/(from\s+"\.{1,2}\/[^"]*)\.(?:ts|js)"/g, `$1.mjs"`);
    writeFileSync(path, text);
    written.push({ fileName: o.fileName, path });
  }
  const out = new Map<string, Record<string, unknown>>();
  for (const w of written) out.set(w.fileName, (await import(pathToFileURL(w.path).href)) as Record<string, unknown>);
  return out;
}
