/** The package's own sources type-check under `tsc --noEmit` (strict), as `npm run build` needs. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

test("tsc -p tsconfig.json --noEmit reports nothing", () => {
  const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json", "--noEmit"], { cwd: root, encoding: "utf8", timeout: 300_000 });
  assert.is(r.status, 0, `tsc found errors:\n${r.stdout}${r.stderr}`);
});

test.run();
