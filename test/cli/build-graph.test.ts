// `nwc build` and `nwc graph` end to end through bin/nwc.js, on the fixture
// projects and the compiler (compiler/index.ts): a clean build writes the
// compiled files and exits 0; a project with effects exits 1 with the diagnostics
// (text and --json) and writes nothing; graph prints an xstate config that xstate
// accepts, Mermaid text and an SVG picture of the compiled machine.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createActor, createMachine } from "xstate";
import type { NwcDiagnostic } from "../../compiler/diagnostics.ts";
import * as graph from "../../cli/commands/graph.ts";
import * as build from "../../cli/commands/build.ts";
import { inProcess, nwc, root } from "./run-command.ts";

const dirty = path.join(root, "test/lint/fixtures/project/tsconfig.json");
const clean = path.join(root, "test/cli/fixtures/clean/tsconfig.json");
const app = path.join(root, "test/cli/fixtures/clean/src/app.ts");
const out = mkdtempSync(path.join(tmpdir(), "nwc-cli-"));
mkdirSync(path.join(root, "test-output"), { recursive: true });

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

test("build: a clean project compiles, writes its files and exits 0", () => {
  const outDir = path.join(out, "clean");
  const r = nwc("build", "-p", clean, "--outDir", outDir);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /1 orchestration compiled/);
  const files = listFiles(outDir);
  assert.ok(files.some((f) => f.endsWith("app.js")), `written: ${files.join(", ")}`);
  const js = readFileSync(files.find((f) => f.endsWith("app.js"))!, "utf8");
  assert.match(js, /orchestration\("hello", [^\n]*defineMachine\(\{ name: "hello"/, "the orchestration body was replaced by its machine");
  const infos = JSON.parse(readFileSync(files.find((f) => f.endsWith("app.machines.json"))!, "utf8")) as { name: string; graph: { states: unknown[] } }[];
  assert.equal(infos.map((m) => m.name), ["hello"]);
  assert.ok(infos[0]!.graph.states.length >= 4);
});

test("build: effects are diagnostics, exit 1, nothing written", async () => {
  const outDir = path.join(out, "dirty");
  const r = nwc("build", "-p", dirty, "--outDir", outDir);
  assert.is(r.code, 1);
  assert.match(r.stdout, /src\/workflows\.ts:\d+:\d+ - error NWC1001: `Date\.now\(\)` reads the wall clock[^\n]*\n\n\d+ [^\n]*\n +~+\n  fix: use ctx\.now\(\)/);
  assert.equal(listFiles(outDir), []);
  const json = await inProcess(build, "-p", dirty, "--json", "--outDir", outDir);
  assert.is(json.code, 1);
  const data = JSON.parse(json.stdout) as NwcDiagnostic[];
  assert.ok(data.some((d) => d.code === "NWC1003" && d.fix === "use ctx.random()"));
  assert.ok(data.every((d) => typeof d.line === "number" && d.line > 0 && d.column > 0));
});

test("graph --format xstate: a machine config xstate accepts, start to end", async () => {
  const r = await inProcess(graph, app, "hello", "--format", "xstate");
  assert.is(r.code, 0, r.stderr);
  const config = JSON.parse(r.stdout);
  assert.is(config.id, "hello");
  assert.is(config.initial, "start");
  assert.is(config.states.end.type, "final");
  const machine = createMachine(config);
  const actor = createActor(machine).start();
  assert.is(actor.getSnapshot().value, "start");
  // The graph has await points between start and end (a loop of calls, a sleep, a lock, an entity call).
  assert.ok(Object.keys(config.states).length >= 4, JSON.stringify(Object.keys(config.states)));
});

test("graph --format mermaid and svg; default writes all three next to --out", async () => {
  const mermaid = await inProcess(graph, app, "hello", "--format", "mermaid");
  assert.is(mermaid.code, 0, mermaid.stderr);
  assert.match(mermaid.stdout, /stateDiagram-v2\n/);
  assert.match(mermaid.stdout, /\[\*\] --> s_start/);
  const svg = await inProcess(graph, app, "hello", "--format", "svg");
  assert.is(svg.code, 0);
  assert.ok(svg.stdout.startsWith("<svg "));
  const base = path.join(out, "graphs", "hello");
  const all = nwc("graph", app, "hello", "--out", base);
  assert.is(all.code, 0, all.stderr);
  for (const ext of [".xstate.json", ".mmd", ".svg"]) assert.ok(existsSync(base + ext), ext);
  assert.equal(JSON.parse(readFileSync(base + ".xstate.json", "utf8")), JSON.parse((await inProcess(graph, app, "hello", "--format", "xstate")).stdout));
});

test("graph: an unknown orchestration names the ones the file defines; bad usage exits 2", async () => {
  const r = await inProcess(graph, app, "nope");
  assert.is(r.code, 1);
  assert.match(r.stderr, /no orchestration "nope" compiled from .*; found: hello/);
  assert.is((await inProcess(graph, app)).code, 2);
  assert.match((await inProcess(graph, app, "hello", "--format", "png")).stderr, /unknown --format "png"; use xstate, mermaid or svg/);
});

test.after(() => rmSync(out, { recursive: true, force: true }));
test("graph accepts the tsconfig check and run accept: a file using console under a tsconfig without types", async () => {
  const dir = mkdtempSync(path.join(root, "test-output", "graph-types-"));
  try {
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true, allowImportingTsExtensions: true, noEmit: true } }));
    writeFileSync(path.join(dir, "app.ts"), `import { activity, orchestration } from "nwc";
export const log = activity("log", async (s: string) => { console.log(s); return s.length; });
export const logged = orchestration("logged", async (ctx, s: string) => ctx.call(log, s));
`);
    const r = await inProcess(graph, path.join(dir, "app.ts"), "logged", "--format", "mermaid");
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /stateDiagram/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
