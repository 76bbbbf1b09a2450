// The compile-on-load cache (compiler/register-hooks.ts) never serves a stale
// result: the checks follow calls into imported modules, so an entry is used
// only while every file the compiler read is unchanged. Each run is a new Node
// process, as `nwc run` and `node --import nwc/register` are.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = fileURLToPath(new URL("../..", import.meta.url));
// Inside the package, so that "nwc" resolves to this checkout by self-reference.
mkdirSync(path.join(root, "test-output"), { recursive: true });
const dir = mkdtempSync(path.join(root, "test-output", "register-cache-"));

const APP = `import { activity, orchestration } from "nwc";
import { pick } from "./helper.ts";

export const greet = activity("greet", async (name: string) => \`Hello \${name}!\`);
export const hello = orchestration("hello", async (ctx, names: string[]) => ctx.call(greet, pick(names)));
console.log("loaded", typeof hello.machine);
`;

function run() {
  const r = spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", "--import", "nwc/register", "app.ts"], { cwd: dir, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const cacheEntries = () => readdirSync(path.join(dir, "node_modules/.cache/nwc")).filter((f) => f.endsWith(".json")).length;

test.after(() => rmSync(dir, { recursive: true, force: true }));

test("an unchanged file is served from the cache; a changed import is compiled and checked again", () => {
  writeFileSync(path.join(dir, "app.ts"), APP);
  writeFileSync(path.join(dir, "helper.ts"), "export function pick(names: string[]): string { return names[0]!; }\n");
  const first = run();
  assert.is(first.code, 0, first.out);
  assert.match(first.out, /loaded object/);
  const entries = cacheEntries();
  assert.ok(entries >= 2, `the app and its helper are cached (${entries} entries)`);
  const second = run();
  assert.is(second.code, 0, second.out);
  assert.is(cacheEntries(), entries, "a warm run adds no entry");

  // The helper now has an effect the orchestration reaches: the app must be rejected.
  writeFileSync(path.join(dir, "helper.ts"), "export function pick(names: string[]): string { return names[Math.floor(Math.random() * names.length)]!; }\n");
  const third = run();
  assert.is.not(third.code, 0, "a cached app whose helper changed must not load");
  assert.match(third.out, /NWC1003/);
  assert.match(third.out, /helper\.ts:1:\d+ - error NWC1003/);
});

test.run();
