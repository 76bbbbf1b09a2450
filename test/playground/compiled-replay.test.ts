// Every preset on the page's runtime, compiled with compileSource and its
// output imported: it compiles without diagnostics, runs to its result on the
// partition core (memory backend, virtual clock), and runs with crashes (the
// host dropped, a fresh import of the program, recovery from the store) end
// exactly as runs without them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { compileSource } from "../../compiler/index.ts";
import { PRESETS, presetById, type Preset } from "../../playground/src/presets.ts";
import { rewriteImports, collect, type LoadedProgram } from "../../playground/src/adapters/module-loader.ts";
import { compareWithUncrashed, replay, type Action, type Script } from "../../playground/src/sim/replay.ts";
import type { Activity, Entity, Orchestration } from "../../runtime/api.ts";

const dir = mkdtempSync(path.join(tmpdir(), "nwc-playground-"));
const targets: Record<string, string> = {
  nwc: pathToFileURL(path.resolve("runtime/api.ts")).href,
  "nwc/engine": pathToFileURL(path.resolve("runtime/engine/index.ts")).href,
};
let loads = 0;

/** Compiles the preset and imports its output as a new module (a new "process" each time). */
async function load(p: Preset): Promise<LoadedProgram> {
  const r = compileSource("/playground/program.ts", p.code);
  assert.equal(r.diagnostics, [], `${p.id} compiles`);
  const js = r.outputs.find((o) => o.fileName.endsWith(".js"))!;
  const file = path.join(dir, `${p.id}-${++loads}.mjs`);
  writeFileSync(file, rewriteImports(js.text, (spec) => targets[spec] ?? spec));
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const values = Object.values(mod) as { kind?: string }[];
  return collect({
    orchestrations: values.filter((v) => v?.kind === "orchestration") as Orchestration[],
    activities: values.filter((v) => v?.kind === "activity") as Activity[],
    entities: values.filter((v) => v?.kind === "entity") as Entity[],
  });
}

function reloader(p: Preset) {
  return async () => (await load(p)).app;
}

const scripts: Record<string, Action[]> = {
  hello: [{ kind: "crash" }, { kind: "run" }],
  fanout: [{ kind: "run" }, { kind: "crash" }, { kind: "run" }],
  approval: [{ kind: "run" }, { kind: "crash" }, { kind: "advance", ms: 60_000 }, { kind: "crash" }, { kind: "raise", name: "decision", data: { approved: false, by: "lin" } }],
  transfer: [{ kind: "crash" }, { kind: "run" }],
  saga: [{ kind: "run" }, { kind: "crash" }, { kind: "run" }],
};

/** What each preset's run ends with (the same on the page, see e2e.test.ts). */
const results: Record<string, unknown> = {
  hello: ["Hello Tokyo!", "Hello Seattle!", "Hello London!"],
  fanout: { documents: 3, words: 10 },
  approval: { id: "PO-17", status: "rejected", by: "lin" },
  transfer: true,
  saga: { booked: false, reason: "card declined", compensated: ["cancelHotel", "cancelFlight"] },
};

for (const p of PRESETS) {
  test(`${p.title}: runs to its result, and with crashes it ends as without`, async () => {
    const program = await load(p);
    assert.ok(program.machines.get(p.orchestration), `${p.orchestration} is compiled`);
    const script: Script = { orchestration: p.orchestration, input: p.input, settings: { latencyMs: 100, failureRate: 0, seed: 5 }, actions: scripts[p.id]! };
    const rt = await replay(program.app, script, { crashes: true, reload: reloader(p) });
    try {
      assert.ok(rt.crashes >= 1);
      assert.equal(rt.outcome, { kind: "completed", output: results[p.id] });
      const cmp = await compareWithUncrashed(rt, program.app, script);
      assert.ok(cmp.equal, `differs in ${cmp.differences}`);
    } finally {
      await rt.dispose();
    }
  });
}

test("the bank preset moves the money under its lock: entity states as committed", async () => {
  const p = presetById("transfer");
  const program = await load(p);
  const rt = await replay(program.app, { orchestration: p.orchestration, input: p.input, settings: { latencyMs: 10, failureRate: 0, seed: 1 }, actions: [] }, { crashes: false });
  assert.equal(rt.committed.entities, { "Account/alice": { balance: 70 }, "Account/bob": { balance: 130 } });
  const lines = rt.timeline.flatMap((t) => [...t.woke, ...t.issued]).join("\n");
  assert.match(lines, /lock Account\/alice, Account\/bob #\d+/);
  assert.match(lines, /lock granted #\d+/);
  assert.match(lines, /unlock #\d+/);
  await rt.dispose();
});

test("while the approval preset waits for its decision, the page's frame is the encoded frame and the graph shows the await", async () => {
  const p = presetById("approval");
  const program = await load(p);
  const script: Script = { orchestration: p.orchestration, input: p.input, settings: { latencyMs: 100, failureRate: 0, seed: 5 }, actions: [{ kind: "run" }] };
  const rt = await replay(program.app, script, { crashes: false });
  try {
    assert.equal(rt.outcome, { kind: "running" });
    const frame = rt.committed.frame as { nwc?: number; branches?: object };
    assert.is(frame.nwc, 1, `the frame as committed, decoded from its stored text: ${JSON.stringify(frame).slice(0, 80)}`);
    const states = new Set(program.machines.get(p.orchestration)!.graph.states.map((s) => s.id));
    const at = rt.position();
    assert.ok(at.length > 0 && at.every((id) => states.has(id)), `waits at graph states: ${at}`);
  } finally {
    await rt.dispose();
  }
});

test("the saga preset compensates in reverse order after the card is declined", async () => {
  const p = presetById("saga");
  const program = await load(p);
  const script: Script = { orchestration: p.orchestration, input: p.input, settings: { latencyMs: 100, failureRate: 0, seed: 5 }, actions: [] };
  const rt = await replay(program.app, script, { crashes: false });
  const calls = rt.timeline.flatMap((t) => t.issued).filter((l) => l.startsWith("call activity")).map((l) => /call activity (\w+)/.exec(l)![1]);
  assert.equal(calls, ["reserveFlight", "reserveHotel", "chargeCard", "cancelHotel", "cancelFlight"]);
  await rt.dispose();
});

test("a compiled ctx.callSub runs its child as an instance of its own; crashes while a child sleeps change nothing", async () => {
  const p: Preset = {
    id: "subs", title: "subs", orchestration: "parent", input: ["a", "b"],
    code: `import { activity, orchestration } from "nwc";
export const shout = activity("shout", async (s: string) => s.toUpperCase());
export const child = orchestration("child", async (ctx, s: string) => {
  await ctx.sleep(1000);
  return \`\${await ctx.call(shout, s)}!\`;
});
export const parent = orchestration("parent", async (ctx, xs: string[]) => {
  const out: string[] = [];
  for (const x of xs) out.push(await ctx.callSub(child, x));
  return out;
});
`,
  };
  const program = await load(p);
  const script: Script = { orchestration: "parent", input: p.input, settings: { latencyMs: 50, failureRate: 0, seed: 1 }, actions: [{ kind: "crash" }, { kind: "advance", ms: 1000 }, { kind: "crash" }, { kind: "advance", ms: 1000 }] };
  const rt = await replay(program.app, script, { crashes: true, reload: reloader(p) });
  assert.is(rt.crashes, 2);
  assert.equal(rt.outcome, { kind: "completed", output: ["A!", "B!"] });
  assert.ok(rt.timeline.some((t) => t.instanceId !== "playground-1"), "the children's steps are in the timeline");
  assert.ok((await compareWithUncrashed(rt, program.app, script)).equal);
  await rt.dispose();
});

test.run();
