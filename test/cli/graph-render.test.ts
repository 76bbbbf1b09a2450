// Rendering of machine graphs by `nwc graph`: xstate configs that xstate accepts and
// simulates, Mermaid text naming every state and transition, and SVG pictures whose
// layout (dagre) places every state once, without overlaps, labels wrapped to fit, loops drawn as back edges.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createActor, createMachine } from "xstate";
import type { MachineGraph } from "../../runtime/machine.ts";
import { toXstateConfig } from "../../cli/graph/xstate.ts";
import { toMermaid } from "../../cli/graph/mermaid.ts";
import { toSvg } from "../../cli/graph/svg.ts";
import { layoutGraph } from "../../cli/graph/layout.ts";
import { estimateMonospaceWidth, MAX_LINE_CHARS, wrapLabel } from "../../cli/graph/label.ts";

interface Box { id: string; x: number; y: number; width: number; height: number }

// for (const c of cities) out.push(await ctx.call(greet, c));  then a sleep, then return.
const loop: MachineGraph = {
  states: [
    { id: "start", label: "start" },
    { id: "s1", label: "await ctx.call(greet)", line: 4 },
    { id: "s2", label: "await ctx.sleep(1000)", line: 6 },
    { id: "end", label: "end" },
  ],
  transitions: [
    { from: "start", to: "s1", label: "call greet" },
    { from: "s1", to: "s1", label: "greet done, next city" },
    { from: "s1", to: "s2", label: "greet done, loop over" },
    { from: "start", to: "s2", label: "no cities" },
    { from: "s2", to: "end", label: "timer" },
  ],
};

// Two branches of Promise.all joined, with a back edge from the join to the first branch.
const diamond: MachineGraph = {
  states: [
    { id: "start", label: "start" }, { id: "a", label: "await a <tag> & \"q\"" }, { id: "b.x", label: "await b" },
    { id: "join", label: "join" }, { id: "end", label: "end" },
  ],
  transitions: [
    { from: "start", to: "a" }, { from: "start", to: "b.x" }, { from: "a", to: "join" }, { from: "b.x", to: "join" },
    { from: "join", to: "a", label: "retry" }, { from: "join", to: "end" },
  ],
};

// A long awaited expression, a loop back over two states and a skipped layer.
const long: MachineGraph = {
  states: [
    { id: "start", label: "start" },
    { id: "all", label: "await Promise.all([ctx.call(chargeCard, order.payment), ctx.call(reserveStock, order.items), ctx.call(notify, order.customer)])", line: 12 },
    { id: "wait", label: "await Promise.race([ctx.waitForEvent<{ approvedBy: string }>(\"approval\"), ctx.sleep(86_400_000)])", line: 14 },
    { id: "end", label: "end" },
  ],
  transitions: [
    { from: "start", to: "all" }, { from: "all", to: "wait", label: "all done" }, { from: "wait", to: "all", label: "not approved, retry" },
    { from: "start", to: "end", label: "empty order" }, { from: "wait", to: "end", label: "approved" },
  ],
};

test("xstate: config is accepted by createMachine and simulates the graph", () => {
  const config = toXstateConfig("helloSequence", loop);
  assert.is(config.initial, "start");
  assert.is(config.states.end!.type, "final");
  const machine = createMachine(config as any);
  const actor = createActor(machine).start();
  assert.is(actor.getSnapshot().value, "start");
  actor.send({ type: "call greet" });
  assert.is(actor.getSnapshot().value, "s1");
  actor.send({ type: "greet done, next city" });
  assert.is(actor.getSnapshot().value, "s1");
  actor.send({ type: "greet done, loop over" });
  assert.is(actor.getSnapshot().value, "s2");
  actor.send({ type: "timer" });
  assert.is(actor.getSnapshot().status, "done");
  // JSON round trip: the printed form is what the playground loads.
  createMachine(JSON.parse(JSON.stringify(config)));
});

test("xstate: unlabelled and duplicate events stay distinct; dotted ids are rewritten", () => {
  const config = toXstateConfig("d", diamond);
  assert.equal(Object.keys(config.states.start!.on!), ["next", "next #2"]);
  assert.ok(config.states["b_x"]);
  assert.is(config.states["b_x"]!.meta!.id, "b.x");
  const actor = createActor(createMachine(config as any)).start();
  actor.send({ type: "next #2" });
  assert.is(actor.getSnapshot().value, "b_x");
});

test("graphs without start/end or with dangling transitions are rejected with the id", () => {
  assert.throws(() => toXstateConfig("x", { states: [{ id: "start", label: "" }], transitions: [] }), /no "end" state/);
  assert.throws(() => toMermaid("x", { states: [{ id: "start", label: "" }, { id: "end", label: "" }], transitions: [{ from: "start", to: "nowhere" }] }), /unknown state "nowhere"/);
});

test("mermaid: every state and transition appears once, with [*] entry and exit", () => {
  const text = toMermaid("helloSequence", loop);
  const lines = text.trim().split("\n");
  assert.is(lines[3], "stateDiagram-v2");
  assert.is(lines.filter((l) => l.trim().startsWith("state ")).length, loop.states.length);
  assert.is(lines.filter((l) => l.includes(" --> ")).length, loop.transitions.length + 2);
  assert.ok(lines.includes("  [*] --> s_start"));
  assert.ok(lines.includes("  s_end --> [*]"));
  assert.ok(lines.includes('  state "await ctx.call(greet) (line 4)" as s_s1'));
  assert.ok(lines.includes("  s_s1 --> s_s1 : greet done, next city"));
  const d = toMermaid("d", diamond);
  assert.ok(d.includes("as s_b_x"));
  assert.not.ok(/"[^"\n]*"[^"\n]*"[^\n]*as s_a/.test(d), "quotes inside labels are replaced");
});

test("layout (dagre): ranks follow forward edges, loops are back edges, no two boxes or labels overlap", () => {
  const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  for (const graph of [loop, diamond, long]) {
    const layout = layoutGraph(graph);
    assert.is(layout.states.length, graph.states.length);
    assert.is(layout.edges.length, graph.transitions.length);
    const byId = new Map(layout.states.map((s) => [s.id, s]));
    assert.is(byId.get("start")!.layer, 0);
    assert.ok(layout.states.every((s) => s.id === "end" || s.layer < byId.get("end")!.layer));
    for (const e of layout.edges) {
      if (!e.back) assert.ok(byId.get(e.to)!.layer > byId.get(e.from)!.layer, `${e.from}->${e.to} goes down`);
    }
    // Edge labels as boxes (the monospace estimate, as measured by the layout).
    const labels: (Box & { id: string })[] = layout.edges.filter((e) => e.label !== undefined).map((e) => {
      const width = estimateMonospaceWidth(e.label!);
      return { id: `label ${e.label}`, x: e.labelX - width / 2, y: e.labelY - 12, width, height: 14 };
    });
    const boxes = [...layout.states, ...labels];
    for (const a of boxes) {
      assert.ok(a.x >= 0 && a.x + a.width <= layout.width && a.y >= 0 && a.y + a.height <= layout.height, `${a.id} inside the picture`);
      for (const b of boxes) if (a !== b) assert.not.ok(overlaps(a, b), `${a.id} overlaps ${b.id}`);
    }
    // Each box holds its label: the widest wrapped line fits with room to spare.
    for (const s of layout.states) assert.ok(Math.max(...s.lines.map(estimateMonospaceWidth)) + 2 * 12 <= s.width, `${s.id} holds its label`);
  }
  const d = layoutGraph(diamond);
  assert.ok(d.edges.find((e) => e.from === "join" && e.to === "a")!.back, "join -> a closes a loop");
  assert.equal(layoutGraph(diamond), d, "deterministic");
});

test("labels: long ones wrap at a space or bracket into lines of at most MAX_LINE_CHARS, losing no character", () => {
  const text = long.states.find((s) => s.id === "all")!.label;
  const lines = wrapLabel(text);
  assert.ok(lines.length > 1);
  assert.ok(lines.every((l) => l.length <= MAX_LINE_CHARS), lines.join("|"));
  assert.is(lines.join("").replace(/\s/g, ""), text.replace(/\s/g, ""));
  assert.equal(wrapLabel("short"), ["short"]);
  assert.equal(wrapLabel("x".repeat(130)).map((l) => l.length), [MAX_LINE_CHARS, MAX_LINE_CHARS, 130 - 2 * MAX_LINE_CHARS]);
  const svg = toSvg("long", long);
  assert.is((svg.match(/<tspan /g) ?? []).length, layoutGraph(long).states.reduce((n, s) => n + s.lines.length, 0));
});

test("svg: one group per state, one path per transition, text escaped, tags balanced", () => {
  const svg = toSvg("d", diamond);
  assert.ok(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  assert.is((svg.match(/<g class="state"/g) ?? []).length, diamond.states.length);
  assert.is((svg.match(/<path class="transition"/g) ?? []).length, diamond.transitions.length);
  assert.ok(svg.includes("await a &lt;tag&gt; &amp; &quot;q&quot;"));
  assert.not.ok(svg.includes("<tag>"));
  // Every opened element is closed (self-closing ones excepted).
  const opens = (svg.match(/<(g|svg|text|title|defs|marker)\b/g) ?? []).length;
  const closes = (svg.match(/<\/(g|svg|text|title|defs|marker)>/g) ?? []).length;
  assert.is(opens, closes);
});

test.run();
