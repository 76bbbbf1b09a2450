// The dashboard's views as pure functions of what the dev API answers: the
// failed step (from the history when there is one, else from the stack), the
// history panel with child links, and the note for a host without history.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { HistoryView, InstanceStatusView } from "../../playground/src/adapters/dev-api.ts";
import type { MachineGraph } from "../../runtime/machine.ts";
import { failedStep, firstStackFrame } from "../../playground/src/ui/failed-step.ts";
import { childrenInHistory, renderHistory } from "../../playground/src/ui/history-view.ts";
import { instanceOfHash, instanceHash } from "../../playground/src/ui/html.ts";
import { renderInstance } from "../../playground/src/ui/instance-view.ts";

const graph: MachineGraph = {
  states: [{ id: "start", label: "start" }, { id: "s1", label: "await ctx.call(charge, order.amount)", line: 9 }, { id: "s2", label: "await ctx.callSub(ship, order)", line: 10 }, { id: "end", label: "end" }],
  transitions: [{ from: "start", to: "s1" }, { from: "s1", to: "s2" }, { from: "s2", to: "end" }],
};

const stack = "RangeError: over the limit\n    at Object.fn (/home/dev/app/src/orders.ts:21:27)\n    at ActivityWorkers.execute (/home/dev/app/node_modules/nwc/dist/runtime/workers.js:64:36)";
const failed: InstanceStatusView = {
  instanceId: "o-1", name: "order", status: "Failed", input: { amount: 500 },
  error: { name: "RangeError", message: "over the limit", stack }, parentInstanceId: "batch-1",
};

const history: HistoryView = {
  instanceId: "o-1",
  steps: [
    { seq: 1, atMs: 0, wakes: [], commands: [{ kind: "subOrchestration", name: "ship", instanceId: "o-1-ship" }], outcome: "running", waitsAt: [{ line: 10, label: "await ctx.callSub(ship, order)" }] },
    { seq: 2, atMs: 5, wakes: [{ kind: "subOrchestration", name: "ship", instanceId: "o-1-ship", ok: true }], commands: [{ kind: "activity", name: "charge" }], outcome: "running", waitsAt: [{ line: 9, label: "await ctx.call(charge, order.amount)" }] },
    { seq: 3, atMs: 9, wakes: [{ kind: "activity", name: "charge", ok: false, error: { name: "RangeError", message: "over the limit" }, attempts: 3, lastError: { name: "RangeError", message: "over the limit" } }], commands: [], outcome: "failed", error: { name: "RangeError", message: "over the limit" } },
  ],
};

test("failed step from the history: the await it resumed from, its state, the failed wake", () => {
  const f = failedStep(failed, history, graph)!;
  assert.equal(f.awaits, [{ line: 9, label: "await ctx.call(charge, order.amount)" }]);
  assert.equal(f.stateIds, ["s1"]);
  assert.equal(f.causes, ["activity charge: RangeError: over the limit"]);
  assert.is(f.thrownAt, "orders.ts:21:27");
});

test("failed step without a history: the error and the first stack frame only; none for other statuses", () => {
  const f = failedStep(failed, undefined, graph)!;
  assert.equal([f.awaits, f.stateIds, f.causes, f.thrownAt], [[], [], [], "orders.ts:21:27"]);
  assert.is(failedStep({ ...failed, status: "Completed" }, history, graph), undefined);
  assert.is(firstStackFrame("Error: x\n    at file:///C:/app/a.ts:3:4"), "a.ts:3:4");
  assert.is(firstStackFrame("Error: no frames"), undefined);
});

test("history panel: one item per step, children as links, failures marked; a note without the route", () => {
  const html = renderHistory(history);
  assert.is((html.match(/<li class="step /g) ?? []).length, 3);
  assert.match(html, /<li class="step failed" data-seq="3">/);
  assert.match(html, /after 3 attempts/);
  assert.match(html, /<a class="instance-link" href="#instance=o-1-ship" data-id="o-1-ship">/);
  assert.equal(childrenInHistory(history), ["o-1-ship"]);
  assert.match(renderHistory(undefined), /History is not available/);
});

test("instance view: parent and children links, the failed state marked on the graph, text escaped", () => {
  const html = renderInstance({ status: { ...failed, input: "<b>" }, orchestration: { name: "order", version: "1", graph }, history, listedChildren: ["o-1-other"] });
  assert.match(html, /class="parent"><a class="instance-link" href="#instance=batch-1"/);
  assert.match(html, /data-id="o-1-ship">o-1-ship<\/a>, <a class="instance-link" href="#instance=o-1-other"/);
  assert.match(html, /<g class="state failed" data-id="s1">/);
  assert.match(html, /line 9: await ctx.call\(charge, order.amount\)/);
  assert.ok(html.includes("&quot;&lt;b&gt;&quot;"));
});

test("an instance's address is its hash, any id round-trips", () => {
  for (const id of ["plain", "a b/c#d", "é"]) assert.is(instanceOfHash(instanceHash(id)), id);
  assert.is(instanceOfHash("#other"), undefined);
});

test.run();
