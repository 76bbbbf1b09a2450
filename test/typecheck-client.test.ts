/**
 * The typed client's type-level tests (test/types/client-types.ts) pass tsc:
 * correct uses compile, and each misuse marked `@ts-expect-error` is an error
 * (an unused directive would itself fail the check).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

test("test/types/client-types.ts type-checks: typed handles, events, entity ops and mocks", () => {
  const r = spawnSync(process.execPath, [tsc, "-p", "test/types/tsconfig.json"], { cwd: root, encoding: "utf8", timeout: 300_000 });
  assert.is(r.status, 0, `tsc found errors:\n${r.stdout}${r.stderr}`);
});

test.run();
