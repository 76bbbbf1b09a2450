// `nwc check` end to end: the real command (bin/nwc.js) on fixture projects: exit
// codes, one formatted line per diagnostic, --json, and clear usage errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import path from "node:path";
import { formatDiagnostic, type NwcDiagnostic } from "../../compiler/diagnostics.ts";
import * as check from "../../cli/commands/check.ts";
import { inProcess, nwc, root } from "./run-command.ts";

const { checkProject } = check;

const dirty = path.join(root, "test/lint/fixtures/project/tsconfig.json");
const clean = path.join(root, "test/cli/fixtures/clean/tsconfig.json");

test("a clean project: exit 0, nothing printed", () => {
  const r = nwc("check", "-p", clean);
  assert.is(r.stderr, "");
  assert.is(r.stdout, "");
  assert.is(r.code, 0);
});

test("diagnostics: exit 1, one `file:line:col - error CODE: ...` line each, in order", async () => {
  const r = nwc("check", "-p", dirty);
  assert.is(r.code, 1, r.stderr);
  const expected = (await checkProject(dirty)).map((d) => formatDiagnostic({ ...d, file: path.relative(root, d.file) }));
  assert.ok(expected.length >= 10);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.slice(0, expected.length), expected);
  assert.is(lines.at(-1), `${expected.length} errors`);
  assert.ok(lines.includes(expected.find((l) => l.includes("NWC1001"))!));
  assert.match(r.stdout, /test\/lint\/fixtures\/project\/src\/workflows\.ts:\d+:\d+ - error NWC1001: `Date\.now\(\)` reads the wall clock/);
});

test("--json: the same diagnostics as data", async () => {
  const r = await inProcess(check, "-p", dirty, "--json");
  assert.is(r.code, 1);
  const data = JSON.parse(r.stdout) as NwcDiagnostic[];
  const direct = (await checkProject(dirty));
  assert.is(data.length, direct.length);
  assert.equal(data.map((d) => [d.code, d.line, d.column, d.message, d.fix]), direct.map((d) => [d.code, d.line, d.column, d.message, d.fix]));
  for (const d of data) assert.ok(!path.isAbsolute(d.file), "paths relative to the working directory");
});

test("type errors are diagnostics too", async () => {
  const r = await inProcess(check, "-p", path.join(root, "test/cli/fixtures/type-error/tsconfig.json"), "--json");
  assert.is(r.code, 1);
  const data = JSON.parse(r.stdout) as NwcDiagnostic[];
  assert.equal(data.map((d) => `${d.code}@${d.line}:${d.column}`), ["TS2322@2:14"]);
});

test("usage errors: missing tsconfig, unknown option", async () => {
  const missing = nwc("check", "-p", "no/such/tsconfig.json");
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /no\/such\/tsconfig\.json does not exist; pass the project's tsconfig with -p/);
  const unknown = await inProcess(check, "--frobnicate");
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option --frobnicate\nusage: nwc check/);
});

test.run();
