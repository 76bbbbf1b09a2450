// The frame collector (runtime/engine/run.ts, collect) leaves no dead result in a frame after
// any step, however many steps an instance runs, and never drops a task still referenced.
// Every step here starts from a frame decoded from its text, as after a restart.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decode, encodeFrameText } from "../../runtime/codec.ts";
import type { Machine, Wake } from "../../runtime/machine.ts";
import { compileModules } from "../entities/harness.ts";

const app = (await compileModules(["../runtime/fixtures/frame-garbage.ts"])).get("frame-garbage.ts");
const env = { instanceId: "g", nowMs: 0 };

interface Run {
  output: unknown;
  /** Per step: settled tasks left in the frame, and its text's length. */
  settled: number[];
  bytes: number[];
}

/** Runs a machine to its end; each activity call returns `result(input)`. */
function run(definition: { machine: Machine }, input: unknown, result: (input: unknown) => unknown): Run {
  const { machine } = definition;
  let text = encodeFrameText(machine.init(input, env)).text;
  let wakes: Wake[] = [];
  const settled: number[] = [];
  const bytes: number[] = [];
  for (;;) {
    const r = machine.step(decode(JSON.parse(text)), wakes, env);
    text = encodeFrameText(r.frame).text;
    if (r.outcome.kind !== "running") return { output: r.outcome.kind === "completed" ? r.outcome.output : r.outcome, settled, bytes };
    const tasks = (JSON.parse(text) as { tasks: Record<string, { s: number }> }).tasks;
    settled.push(Object.values(tasks).filter((t) => t.s !== 0).length);
    bytes.push(text.length);
    wakes = r.commands.map((c) => {
      if (c.kind !== "activity") throw new Error(`unexpected command ${c.kind}`);
      return { taskId: c.taskId, result: { ok: true, value: result(c.input) } };
    });
  }
}

test("no step leaves a dead result in the frame, over 2,000 steps, whatever the results are", () => {
  for (const result of [(x: unknown) => x, (x: unknown) => String(x).repeat(200), (x: unknown) => ({ x })]) {
    const r = run(app.loopOf, 2_000, result);
    assert.is(r.output, 2_000);
    assert.equal([...new Set(r.settled)], [0], "no settled task is carried to the next step");
    // Only its numbers (task ids, the total) grow, by a digit or two each.
    const early = Math.max(...r.bytes.slice(0, 100)), late = Math.max(...r.bytes.slice(100));
    assert.ok(late <= early * 1.1, `the frame grew from ${early} to ${late} characters`);
  }
});

test("a task kept in a variable keeps its result through every collection", () => {
  const r = run(app.keepsTask, 20, (x) => `${String(x)}!`);
  assert.is(r.output, "first!");
  assert.equal([...new Set(r.settled.slice(1))], [1], "the kept task's result stays, and nothing else");
});

test.run();
