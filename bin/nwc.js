#!/usr/bin/env node
// The `nwc` command. From a built package it runs dist/cli/main.js; in a source
// checkout (no dist/) it re-runs itself on the TypeScript sources through tsx,
// with the "source" export condition so that `import "nwc"` resolves to them.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const built = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const source = fileURLToPath(new URL("../cli/main.ts", import.meta.url));

if (existsSync(built) && !process.env.NWC_FROM_SOURCE) {
  await import(pathToFileURL(built).href);
} else {
  // Resolve tsx from this package, not from the caller's working directory, so
  // that `nwc` works from any folder.
  const tsx = import.meta.resolve("tsx");
  const result = spawnSync(
    process.execPath,
    ["--conditions=source", "--import", tsx, source, ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  process.exit(result.status ?? 1);
}
