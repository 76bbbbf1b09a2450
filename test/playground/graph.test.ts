// The playground's graph picture and position lookup: every state drawn once,
// the waiting states highlighted, positions resolved from the machine or from
// the lines its branches wait at.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { MachineGraph } from "../../runtime/machine.ts";
import { renderGraphSvg } from "../../playground/src/graph/render.ts";
import { knownIds, positionOf } from "../../playground/src/graph/position.ts";

const graph: MachineGraph = {
  states: [
    { id: "start", label: "start" },
    { id: "s1", label: "await greet", line: 4 },
    { id: "s2", label: "await race <tag>", line: 6 },
    { id: "end", label: "end" },
  ],
  transitions: [
    { from: "start", to: "s1" },
    { from: "s1", to: "s1", label: "loop" },
    { from: "s1", to: "s2" },
    { from: "s2", to: "end", label: "approved & done" },
  ],
};

function states(svg: string): { id: string; cls: string }[] {
  return [...svg.matchAll(/<g class="([^"]*)" data-id="([^"]*)">/g)].map((m) => ({ cls: m[1]!, id: m[2]! }));
}

test("every state is drawn once; the active ones carry the 'active' class", () => {
  const svg = renderGraphSvg(graph, { active: ["s2"], visited: ["start", "s1"] });
  const drawn = states(svg);
  assert.equal(drawn.map((s) => s.id).sort(), ["end", "s1", "s2", "start"]);
  assert.equal(drawn.filter((s) => s.cls.split(" ").includes("active")).map((s) => s.id), ["s2"]);
  assert.ok(drawn.find((s) => s.id === "s1")!.cls.includes("visited"));
  assert.is((svg.match(/class="transition"/g) ?? []).length, 4);
});

test("labels are escaped and the markup is well formed", () => {
  const svg = renderGraphSvg(graph);
  assert.ok(svg.includes("await race &lt;tag&gt; (line 6)"));
  assert.ok(svg.includes("approved &amp; done"));
  assert.not.ok(svg.includes("<tag>"));
  const opened = (svg.match(/<g /g) ?? []).length, closed = (svg.match(/<\/g>/g) ?? []).length;
  assert.is(opened, closed);
});

test("a broken graph is refused instead of drawn", () => {
  assert.throws(() => renderGraphSvg({ states: [{ id: "start", label: "start" }], transitions: [] }), /no "end" state/);
});

test("position: the machine's own answer, else the lines its branches wait at, else end when finished", () => {
  assert.equal(positionOf({ graph, position: () => ["s1", "nope"] }, {}, false), ["s1"]);
  const frame = { branches: { "3": { at: 6 }, "9": { at: 4 }, "10": { at: 99 } } };
  assert.equal(positionOf({ graph }, frame, false), ["s1", "s2"]);
  assert.equal(positionOf({ graph }, frame, true), ["end"]);
  assert.equal(knownIds(graph, ["end", "s1", "s1"]), ["s1", "end"]);
});

test.run();
