// `nwc check` end to end: the real command (bin/nwc.js) on fixture projects: exit
// codes, one formatted line per diagnostic, --json, and clear usage errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import path from "node:path";
import type { NwcDiagnostic } from "../../compiler/diagnostics.ts";
import * as check from "../../cli/commands/check.ts";
import { inProcess, nwc, root } from "./run-command.ts";

const { checkProject } = check;

const dirty = path.join(root, "test/lint/fixtures/project/tsconfig.json");
const clean = path.join(root, "test/cli/fixtures/clean/tsconfig.json");

test("a clean project: exit 0, says how many files it checked", () => {
  const r = nwc("check", "-p", clean);
  assert.is(r.stderr, "");
  assert.match(r.stdout, /^nwc check: \d+ files? checked, no problems found\n$/);
  assert.is(r.code, 0);
});

test("diagnostics: exit 1, each as tsc prints them (location, message, source line, caret, fix), in order", async () => {
  const r = nwc("check", "-p", dirty);
  assert.is(r.code, 1, r.stderr);
  const expected = (await checkProject(dirty)).map((d) => ({ ...d, file: path.relative(root, d.file) }));
  assert.ok(expected.length >= 10);
  const blocks = r.stdout.trim().split(/\n\n(?=\S+:\d+:\d+ - error )/);
  assert.equal(blocks.map((b) => b.split("\n")[0]), expected.map((d) => `${d.file}:${d.line}:${d.column} - error ${d.code}: ${d.message}`));
  assert.match(r.stdout, new RegExp(`\\n\\n${expected.length} errors\\n$`));
  const dateNow = blocks.find((b) => b.includes("NWC1001"))!;
  assert.match(dateNow, /^test\/lint\/fixtures\/project\/src\/workflows\.ts:(\d+):(\d+) - error NWC1001: `Date\.now\(\)` reads the wall clock[^\n]*\n\n(\d+) [^\n]*Date\.now\(\)[^\n]*\n +~+\n  fix: use ctx\.now\(\)/);
  const [, line, column, gutter] = /:(\d+):(\d+) - [\s\S]*?\n\n(\d+) /.exec(dateNow)!;
  assert.is(gutter, line, "the source line shown is the diagnostic's line");
  const caretLine = dateNow.split("\n")[3]!;
  assert.is(caretLine.indexOf("~"), gutter!.length + 1 + Number(column) - 1, "the caret starts under the column");
  assert.not.match(r.stdout, /nwc: nwc:|Fix: fix the TypeScript error/);
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
