// Crash and resume on real compiled machines: each preset is compiled with
// compileSource, its output imported, and runs with crashes (snapshot, fresh
// import of the program, restore) end exactly as runs without them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { compileSource } from "../../compiler/index.ts";
import { PRESETS, presetById, type Preset } from "../../playground/src/presets.ts";
import { rewriteImports, collect, type LoadedProgram } from "../../playground/src/adapters/module-loader.ts";
import { compareWithUncrashed, replay, type Action } from "../../playground/src/sim/replay.ts";
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
  return async () => {
    const l = await load(p);
    return { machine: l.machines.get(p.orchestration)!, app: l.app };
  };
}

const scripts: Record<string, Action[]> = {
  hello: [{ kind: "crash" }, { kind: "run" }],
  fanout: [{ kind: "run" }, { kind: "crash" }, { kind: "run" }],
  approval: [{ kind: "run" }, { kind: "crash" }, { kind: "advance", ms: 60_000 }, { kind: "crash" }, { kind: "raise", name: "decision", data: { approved: false, by: "lin" } }],
  transfer: [{ kind: "crash" }, { kind: "run" }],
  saga: [{ kind: "run" }, { kind: "crash" }, { kind: "run" }],
};

for (const p of PRESETS) {
  test(`${p.title}: with crashes it ends as without`, async () => {
    const program = await load(p);
    const machine = program.machines.get(p.orchestration)!;
    assert.ok(machine, `${p.orchestration} is compiled`);
    const script = { input: p.input, settings: { latencyMs: 100, failureRate: 0.2, seed: 5 }, actions: scripts[p.id]! };
    const { driver, crashes } = await replay(machine, program.app, script, { crashes: true, reload: reloader(p) });
    assert.ok(crashes >= 1);
    assert.is(driver.outcome.kind, "completed", JSON.stringify(driver.outcome));
    const cmp = await compareWithUncrashed(driver, machine, program.app, script);
    assert.ok(cmp.equal, `differs in ${cmp.differences}`);
  });
}

test("the approval preset's decision arrives through the crashes", async () => {
  const p = presetById("approval");
  const program = await load(p);
  const { driver } = await replay(program.machines.get("approval")!, program.app, { input: p.input, settings: { latencyMs: 10, failureRate: 0, seed: 1 }, actions: scripts.approval! }, { crashes: true, reload: reloader(p) });
  assert.equal(driver.outcome, { kind: "completed", output: { id: "PO-17", status: "rejected", by: "lin" } });
});

test.run();
