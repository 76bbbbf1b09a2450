#!/usr/bin/env node
// npm "prepack" and "postpack": the package.json that is published has no
// "source" export conditions. In a checkout they point at the TypeScript
// sources (tests and benchmarks run with --conditions=source); the tarball
// ships dist/ only, so a user whose tools resolve that condition (a
// tsconfig's customConditions: ["source"], a bundler's conditions) would be
// sent to files that are not there instead of falling through to dist/.
//
//   node scripts/pack-manifest.mjs strip     package.json -> package.json.checkout, then the stripped one
//   node scripts/pack-manifest.mjs restore   package.json.checkout -> package.json
//
// Both keep package.json's modification time, so the build's staleness check
// (scripts/build.mjs) does not take the swap for an edit. A strip after a pack
// that failed before its "postpack" restores the checkout's manifest first.
import { existsSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const manifest = join(root, "package.json");
const kept = join(root, "package.json.checkout");

function restore() {
  if (existsSync(kept)) renameSync(kept, manifest);
}

/** The exports map without "source" conditions (a string target stays as it is). */
function withoutSource(exports) {
  const out = {};
  for (const [path, target] of Object.entries(exports)) {
    if (typeof target !== "object" || target === null) out[path] = target;
    else out[path] = Object.fromEntries(Object.entries(target).filter(([condition]) => condition !== "source"));
  }
  return out;
}

function strip() {
  restore();
  const text = readFileSync(manifest, "utf8");
  const { atime, mtime } = statSync(manifest);
  const pkg = JSON.parse(text);
  writeFileSync(kept, text);
  utimesSync(kept, atime, mtime);
  writeFileSync(manifest, `${JSON.stringify({ ...pkg, exports: withoutSource(pkg.exports) }, null, 2)}\n`);
  utimesSync(manifest, atime, mtime);
}

const mode = process.argv[2];
if (mode === "strip") strip();
else if (mode === "restore") restore();
else {
  console.error(`usage: node scripts/pack-manifest.mjs strip|restore (got ${mode ?? "nothing"})`);
  process.exit(2);
}
