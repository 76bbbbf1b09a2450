/**
 * The compiled bank transfer (examples/bank.ts) does exactly the work of the
 * hand-written one (gen-app.ts's genTransfer), so bench/entities.ts compares
 * like with like (docs/entities.md section 9): the same steps, the same
 * commands in each step, hence the same protocol messages. And its frames stay
 * small: no object is shared inside a frame (the lock set used to be shared by
 * two places of the frame, which once copied the whole frame on every step
 * while the lock was being acquired).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decode, encodeFrame } from "../../runtime/codec.ts";
import type { Machine, Wake } from "../../runtime/machine.ts";
import type { StepTrace } from "../../runtime/host.ts";
import * as g from "./gen-app.ts";
import { startHost } from "../../runtime/host.ts";
import { compileModules } from "./harness.ts";

const bank = (await compileModules(["../../examples/bank.ts"])).get("bank.ts");
const WAIT = { timeoutMs: 30_000 };

/**
 * The per-step view a benchmark cares about: the commands of each step (task ids dropped: they
 * are numbered differently) and its outcome. A step that only took the first of the two add
 * replies (they come from two entities, so they may land in different batches) and issued
 * nothing is left out: whether it happens depends on batching, not on the machine.
 */
function shape(steps: StepTrace[]): { commands: string[]; outcome: string }[] {
  return steps
    .filter((s) => s.commands.length > 0 || s.outcome !== "running")
    .map((s) => ({ commands: s.commands.map((c) => c.replace(/ #\d+$/, "")), outcome: s.outcome }));
}

async function traceOneTransfer(orch: unknown, amount: number): Promise<{ output: unknown; steps: StepTrace[] }> {
  const steps: StepTrace[] = [];
  const host = await startHost({ app: [...g.genApp, bank.transfer], backend: "memory", partitions: 4, onStep: (t) => steps.push(t) });
  try {
    const client = host.client as any;
    await client.wait(await client.start(g.genOpen, { keys: ["a", "b"], amount: 100 }, { instanceId: "open" }), WAIT);
    const s = await client.wait(await client.start(orch, { from: "a", to: "b", amount }, { instanceId: "xfer" }), WAIT);
    assert.is(s.status, "Completed", JSON.stringify(s.error));
    return { output: s.output, steps: steps.filter((t) => t.instanceId === "xfer") };
  } finally {
    await host.stop();
  }
}

test("a compiled transfer takes the same steps and issues the same commands as the hand-written one", async () => {
  for (const amount of [5, 1000]) {
    const gen = await traceOneTransfer(g.genTransfer, amount);
    const compiled = await traceOneTransfer(bank.transfer, amount);
    assert.is(compiled.output, gen.output);
    assert.equal(shape(compiled.steps), shape(gen.steps), `amount ${amount}`);
  }
});

test("a transfer is four steps (five when the two add replies land in different batches): lock; get; two adds; unlock", async () => {
  const { steps } = await traceOneTransfer(bank.transfer, 5);
  assert.ok(steps.length === 4 || steps.length === 5, `${steps.length} steps`);
  assert.equal(steps.reduce((n, s) => n + s.wakes.length, 0), 4, "one wake per awaited command: the grant, get, two adds");
  assert.equal(shape(steps), [
    { commands: ["lock"], outcome: "running" },
    { commands: ["call Account(a).get"], outcome: "running" },
    { commands: ["call Account(a).add", "call Account(b).add"], outcome: "running" },
    { commands: ["unlock"], outcome: "completed" },
  ]);
});

test("no step of a compiled transfer shares an object inside its frame (each lock set is its own copy)", () => {
  const env = { instanceId: "x", nowMs: 0 };
  const m = bank.transfer.machine as Machine;
  let frame = encodeFrame(m.init({ from: "a", to: "b", amount: 5 }, env));
  let wakes: Wake[] = [];
  const results: unknown[][] = [[undefined], [100], [95, 105]];
  for (let i = 0; ; i++) {
    const r = m.step(decode(frame), wakes, env);
    frame = encodeFrame(r.frame);
    assert.not.ok(JSON.stringify(frame).includes('"$nwc":"ref"'), `step ${i}: an object of the frame is referenced twice`);
    if (r.outcome.kind !== "running") {
      assert.equal(r.outcome, { kind: "completed", output: true });
      assert.is(i, 3);
      break;
    }
    const awaited = r.commands.filter((c) => "taskId" in c).map((c) => (c as { taskId: number }).taskId);
    wakes = awaited.map((taskId, j) => ({ taskId, result: { ok: true, value: results[i]![j] } }));
  }
});

test.run();
