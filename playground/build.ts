/**
 * Builds the playground page from its sources with Vite's JS API, when the
 * build is missing or older than its sources (a source checkout: tests, `nwc
 * playground` run from the repository). Installed packages never load this file:
 * they serve the page `npm run build` prebuilt (playground/serve.ts).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PLAYGROUND_DIR = fileURLToPath(new URL(".", import.meta.url));
/** Where the source build goes (gitignored). */
export const DIST_DIR = path.join(PLAYGROUND_DIR, "dist");
const REPO_DIR = path.resolve(PLAYGROUND_DIR, "..");
/** What the page bundles: a change in any of these makes the build stale. */
const SOURCE_DIRS = ["playground", "compiler", "runtime", "lint-rules", "cli/graph"].map((d) => path.join(REPO_DIR, d));

function newestMtimeMs(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "dist" || entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export function buildIsStale(): boolean {
  const index = path.join(DIST_DIR, "index.html");
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCE_DIRS.some((d) => newestMtimeMs(d) > built);
}

/** One build at a time per checkout (parallel test files, two commands): a directory made atomically is the lock. */
const LOCK_DIR = path.join(tmpdir(), `nwc-playground-build-${Buffer.from(REPO_DIR).toString("hex").slice(-40)}.lock`);
/** A build takes seconds; a lock older than this was left by a killed process. */
const STALE_LOCK_MS = 180_000;
const LOCK_POLL_MS = 200;

async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + STALE_LOCK_MS;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const age = Date.now() - (existsSync(LOCK_DIR) ? statSync(LOCK_DIR).mtimeMs : Date.now());
      if (age > STALE_LOCK_MS || Date.now() > deadline) rmSync(LOCK_DIR, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/** Runs the Vite build (a few seconds) if needed; returns the build folder. */
export async function buildFromSources(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<string> {
  return withBuildLock(() => buildUnlocked(options));
}

async function buildUnlocked(options: { force?: boolean; log?: (line: string) => void }): Promise<string> {
  if (!options.force && !buildIsStale()) return DIST_DIR;
  options.log?.("building the playground with Vite...");
  const vite = await import("vite");
  await vite.build({ configFile: path.join(PLAYGROUND_DIR, "vite.config.ts"), logLevel: "warn" });
  if (!existsSync(path.join(DIST_DIR, "index.html"))) throw new Error(`the Vite build finished without ${path.join(DIST_DIR, "index.html")}`);
  return DIST_DIR;
}

