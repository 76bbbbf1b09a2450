#!/usr/bin/env node
// `npm run build` (also run by `npm ci` and `npm pack` through "prepare"):
// compiles the package to dist/ (JavaScript, declarations, source maps) and
// prebuilds the playground page into dist/playground/static, so that an
// installed nwc needs neither tsx nor Vite. dist/.build-stamp marks a complete
// build: bin/nwc.js uses dist/ only when the stamp is newer than the sources.
// A build that is already current is skipped (`--force` builds anyway): the first
// `npx nwc` in a checkout installs the folder into npm's npx cache, which runs
// "prepare" again right after `npm ci` built it.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const dist = join(root, "dist");

function run(label, script, args) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [script, ...args], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`nwc build: ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  console.log(`nwc build: ${label} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** What the build reads: a change in any of these makes dist/ stale. */
const INPUTS = ["cli", "compiler", "runtime", "lint-rules", "deploy", "playground", "tsconfig.json", "package.json", "scripts/build.mjs"];

function newestMtimeMs(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === "dist" || entry === "node_modules" || entry.startsWith(".")) continue;
    newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  }
  return newest;
}

const stamp = join(dist, ".build-stamp");
if (!process.argv.includes("--force") && existsSync(stamp) && INPUTS.every((p) => newestMtimeMs(join(root, p)) <= statSync(stamp).mtimeMs)) {
  console.log("nwc build: dist/ is current (npm run build -- --force builds anyway)");
  process.exit(0);
}

rmSync(dist, { recursive: true, force: true });
run("tsc", require.resolve("typescript/bin/tsc"), ["-p", "tsconfig.json"]);
run("playground (vite)", join(root, "node_modules/vite/bin/vite.js"), [
  "build", "--config", "playground/vite.config.ts", "--outDir", join(dist, "playground/static"), "--emptyOutDir", "--logLevel", "warn",
]);
writeFileSync(join(dist, ".build-stamp"), `${new Date().toISOString()}\n`);
