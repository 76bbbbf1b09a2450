#!/usr/bin/env node
// The `nwc` command. An installed package runs its compiled dist/cli/main.js.
// In a source checkout it does the same when dist/ is a complete build newer
// than every source file (`npm ci` builds it); otherwise, or with
// NWC_FROM_SOURCE=1, it re-runs itself on the TypeScript sources through tsx,
// with the "source" export condition so that `import "nwc"` resolves to them.
import { existsSync, readdirSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const built = join(root, "dist/cli/main.js");
const source = join(root, "cli/main.ts");
const SOURCE_DIRS = ["cli", "compiler", "runtime", "lint-rules", "deploy", "playground"];

function newestMtimeMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "dist" || entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** A checkout's dist/ is used only when its build finished after the last source change. */
function builtIsCurrent() {
  if (!existsSync(source)) return true; // an installed package: dist/ is all there is
  const stamp = join(root, "dist/.build-stamp");
  if (!existsSync(stamp)) return false;
  const builtAt = statSync(stamp).mtimeMs;
  return SOURCE_DIRS.every((d) => !existsSync(join(root, d)) || newestMtimeMs(join(root, d)) <= builtAt);
}

if (!process.env.NWC_FROM_SOURCE && existsSync(built) && builtIsCurrent()) {
  await import(pathToFileURL(built).href);
} else if (!existsSync(source)) {
  console.error(`nwc: this installation has neither ${built} nor its sources; reinstall nwc`);
  process.exit(1);
} else {
  // Resolve tsx from this package, not from the caller's working directory, so
  // that `nwc` works from any folder.
  let tsx;
  try {
    tsx = import.meta.resolve("tsx");
  } catch {
    console.error("nwc: this checkout has no current build (run \"npm run build\") and no tsx to run its sources (run \"npm ci\")");
    process.exit(1);
  }
  const result = spawnSync(
    process.execPath,
    ["--conditions=source", "--import", tsx, source, ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  process.exit(result.status ?? 1);
}
