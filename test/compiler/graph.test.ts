// Machine metadata: the control graph (await states with source lines), position(frame), versions, and
// compileProject's outputs (JavaScript, declarations, machines.json).
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { compileProject, compileSource } from "../../compiler/index.ts";
import { loadCompiled } from "../../compiler/load.ts";
import { decode, encodeFrame } from "../../runtime/codec.ts";

const APP = `import { activity, orchestration } from "nwc";
const greet = activity("greet", async (n: string) => "hi " + n);
export const hello = orchestration("hello", async (ctx, cities: string[]) => {
  const out: string[] = [];
  for (const c of cities) {
    out.push(await ctx.call(greet, c));
  }
  await ctx.sleep(10);
  return out;
});
`;

test("the graph has start, end and one state per await with its line and source text", () => {
  const r = compileSource("/virtual/app.ts", APP, { skipEffectChecks: true });
  assert.equal(r.diagnostics, []);
  const g = r.machines[0]!.graph;
  const ids = g.states.map((s) => s.id);
  assert.ok(ids.includes("start") && ids.includes("end"));
  const awaits = g.states.filter((s) => s.line !== undefined);
  assert.equal(awaits.map((s) => s.line), [6, 8]);
  assert.equal(awaits.map((s) => s.label), ["await ctx.call(greet, c)", "await ctx.sleep(10)"]);
  const edge = (from: string, to: string) => g.transitions.some((t) => t.from === from && t.to === to);
  const [call, sleep] = awaits.map((s) => s.id);
  assert.ok(edge("start", call!) && edge("start", sleep!), "the loop may run zero or more times");
  assert.ok(edge(call!, call!) && edge(call!, sleep!) && edge(sleep!, "end"));
  assert.ok(!edge("start", "end"), "no path skips the sleep");
});

test("the hidden await that ends an await using scope is its own state, named for the disposal", () => {
  const source = `import { entity, orchestration } from "nwc";
const counter = entity("Counter", { init: () => 0, ops: { get: (s: number) => s } });
export const locked = orchestration("locked", async (ctx, key: string) => {
  await using held = await ctx.lock(counter.id(key));
  return await ctx.entity(counter, key).get();
});
`;
  const r = compileSource("/virtual/locked.ts", source, { skipEffectChecks: true });
  assert.equal(r.diagnostics, []);
  const labels = r.machines[0]!.graph.states.filter((s) => s.line !== undefined).map((s) => `${s.line}: ${s.label}`);
  assert.equal(labels, [
    "4: await ctx.lock(counter.id(key))",
    "5: await ctx.entity(counter, key).get()",
    "4: dispose held (end of its await using scope)",
  ]);
});

test("position(frame) names the graph state each branch waits in, across a serialized frame", async () => {
  const r = compileSource(fileURLToPath(new URL("./fixtures/graph-app.ts", import.meta.url)), APP, { skipEffectChecks: true });
  const mod = [...(await loadCompiled(r.outputs)).values()][0] as any;
  const m = mod.hello.machine;
  const env = { instanceId: "g", nowMs: 0 };
  const frame0 = m.init(["a"], env);
  assert.equal(m.position(frame0), ["start"]);
  const s1 = m.step(frame0, [], env);
  const f1 = decode(JSON.parse(JSON.stringify(encodeFrame(s1.frame))));
  const callState = r.machines[0]!.graph.states.find((s) => s.line === 6)!.id;
  assert.equal(m.position(f1), [callState]);
  const s2 = m.step(f1, [{ taskId: s1.commands[0].taskId, result: { ok: true, value: "hi a" } }], env);
  assert.equal(m.position(s2.frame), [r.machines[0]!.graph.states.find((s) => s.line === 8)!.id]);
  const s3 = m.step(s2.frame, [{ taskId: s2.commands[0].taskId, result: { ok: true, value: undefined } }], env);
  assert.equal(s3.outcome, { kind: "completed", output: ["hi a"] });
  assert.equal(m.position(s3.frame), ["end"]);
});

test("the version is a content hash: stable for the same code, different for changed code", () => {
  const a = compileSource("/virtual/v.ts", APP, { skipEffectChecks: true }).machines[0]!.version;
  const b = compileSource("/virtual/v.ts", APP, { skipEffectChecks: true }).machines[0]!.version;
  const c = compileSource("/virtual/v.ts", APP.replace("ctx.sleep(10)", "ctx.sleep(20)"), { skipEffectChecks: true }).machines[0]!.version;
  assert.is(a, b);
  assert.is.not(a, c);
  assert.match(a, /^[0-9a-f]{16}$/);
});

test("compileProject writes JavaScript, declarations and machines.json", () => {
  mkdirSync(join(process.cwd(), "test-output"), { recursive: true });
  const dir = mkdtempSync(join(process.cwd(), "test-output", "project-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "app.ts"), APP);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", customConditions: ["source"], strict: true, skipLibCheck: true,
      declaration: true, outDir: "out", rootDir: process.cwd(), types: [], lib: ["ES2023", "ESNext.Disposable", "DOM"],
      allowImportingTsExtensions: true, rewriteRelativeImportExtensions: true },
    include: ["src"],
  }));
  const r = compileProject({ tsconfigPath: join(dir, "tsconfig.json") });
  assert.equal(r.diagnostics, []);
  assert.equal(r.machines.map((m) => m.name), ["hello"]);
  // rootDir is the checkout: "nwc" resolves to its sources here.
  const outBase = join(dir, "out", dir.slice(process.cwd().length + 1), "src");
  const js = readFileSync(join(outBase, "app.js"), "utf8");
  assert.match(js, /defineMachine\(\{ name: "hello"/);
  assert.match(js, /from "nwc\/engine"/);
  assert.ok(existsSync(join(outBase, "app.d.ts")));
  const infos = JSON.parse(readFileSync(join(outBase, "app.machines.json"), "utf8"));
  assert.is(infos[0].name, "hello");
  assert.is(infos[0].version, r.machines[0]!.version);
});

test("compileProject with a diagnostic writes nothing", () => {
  const dir = mkdtempSync(join(process.cwd(), "test-output", "project-bad-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "app.ts"), APP.replace("const out: string[] = [];", "const out: string[] = []; class K {}"));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", customConditions: ["source"], strict: true, skipLibCheck: true, outDir: "out", rootDir: "src", types: [] }, include: ["src"] }));
  const r = compileProject({ tsconfigPath: join(dir, "tsconfig.json") });
  assert.ok(r.diagnostics.some((d) => d.code === "NWC3008"));
  assert.not.ok(existsSync(join(dir, "out")));
});

test.run();
