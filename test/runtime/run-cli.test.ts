/** `nwc run`: result and timeline on stdout, exit codes, clear errors for bad input. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const nwc = (...args: string[]) =>
  spawnSync(process.execPath, ["bin/nwc.js", ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NWC_FROM_SOURCE: "1" }, timeout: 60_000 });

test("prints the result and the step timeline", () => {
  const r = nwc("run", "test/runtime/machines/apps.ts", "helloSequence", "--input", '["Tokyo","Seattle"]', "--backend", "memory");
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /Completed in \d+ ms/);
  assert.match(r.stdout, /"Hello Tokyo!",\s*"Hello Seattle!"/);
  assert.match(r.stdout, /1\s+\+0ms\s+-\s+activity greet #1 -> running\s+segment 1/);
  assert.match(r.stdout, /#1 ok\s+activity greet #2 -> running/);
  assert.match(r.stdout, /#2 ok\s+- -> completed/);
});

test("a compiled orchestration's timeline names the source line and await it waits at", () => {
  const r = nwc("run", "examples/hello-sequence.ts", "helloSequence", "--input", '["Tokyo","Seattle"]', "--backend", "memory");
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /1\s+\+0ms\s+-\s+activity greet #\d+ -> running\s+line 12: await ctx\.call\(greet, city\)/);
  assert.match(r.stdout, /ok\s+- -> completed\s+end/);
});

test("a failed orchestration exits 1 and prints the error", () => {
  const r = nwc("run", "test/runtime/machines/apps.ts", "failing", "--input", '"x"', "--backend", "memory");
  assert.is(r.status, 1);
  assert.match(r.stdout, /Failed/);
  assert.match(r.stdout, /RangeError: boom: x/);
});

test("malformed --input, unknown orchestration and missing file are clear errors", () => {
  const json = nwc("run", "test/runtime/machines/apps.ts", "helloSequence", "--input", '["Tokyo"', "--backend", "memory");
  assert.is(json.status, 2);
  assert.match(json.stderr, /--input is not valid JSON/);
  const unknown = nwc("run", "test/runtime/machines/apps.ts", "nope", "--backend", "memory");
  assert.is(unknown.status, 1);
  assert.match(unknown.stderr, /no orchestration named "nope".*it has .*helloSequence/);
  const missing = nwc("run", "no/such/file.ts", "x", "--backend", "memory");
  assert.match(missing.stderr, /file not found: no\/such\/file.ts/);
});

test.run();
