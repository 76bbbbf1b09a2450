/** cloneJson and instanceForCommit: the copies of partition state for commits and checkpoints equals a JSON round trip, and shares nothing. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cloneJson } from "../../runtime/partitions/json.ts";
import { instanceForCommit, type InstanceRecord } from "../../runtime/partitions/state/instance.ts";

const roundTrip = (v: unknown) => JSON.parse(JSON.stringify(v));

test("plain state: equal to the JSON round trip, no object shared", () => {
  const rec = { id: "a", n: 1.5, ok: true, none: null, list: [1, "x", { y: [null, { z: 2 }] }], nested: { a: { b: {} } }, gone: undefined };
  const copy = cloneJson(rec);
  assert.equal(copy, roundTrip(rec));
  assert.ok(!("gone" in copy));
  assert.is.not(copy.list, rec.list);
  assert.is.not(copy.list[2], rec.list[2]);
  (rec.list[2] as { y: unknown[] }).y.push(3);
  assert.equal((copy.list[2] as { y: unknown[] }).y.length, 2);
});

test("whatever JSON transforms rather than copies is left to JSON", () => {
  const cases: unknown[] = [
    { d: new Date(5) },
    { n: Number.NaN, i: Number.POSITIVE_INFINITY },
    [undefined, () => 1, Symbol("s")],
    { f: () => 1, s: Symbol("s") },
    { custom: { toJSON: () => "x" } },
    Object.assign(Object.create(null), { a: 1 }),
  ];
  for (const c of cases) assert.equal(cloneJson(c), roundTrip(c));
});

test("deep nesting and cycles behave as JSON does", () => {
  let deep: unknown = 1;
  for (let i = 0; i < 200; i++) deep = [deep];
  assert.equal(cloneJson(deep), roundTrip(deep));
  const cyclic: { self?: unknown } = {};
  cyclic.self = cyclic;
  assert.throws(() => cloneJson(cyclic), /circular/i);
});

test("an instance's commit copy equals its JSON round trip; later changes in place do not reach it", () => {
  const rec: InstanceRecord = {
    instanceId: "i", name: "n", version: "v", execution: 0, status: "Running", input: { a: [1] }, output: null, error: null,
    customStatus: null, createdAt: 1, updatedAt: 2, frame: { pc: 3, locals: { x: [1, 2] } },
    inbox: [{ taskId: 1, result: { ok: true, value: "r" } }], waiting: { go: [2, 3] }, buffered: { ev: ["d"] },
    suspended: undefined, ext: { locks: { held: { requestId: "q" } } },
  };
  const copy = instanceForCommit(rec);
  assert.equal(copy, roundTrip(rec));
  assert.ok(!("suspended" in copy));
  rec.inbox.push({ taskId: 9, result: { ok: true, value: null } });
  rec.waiting.go!.shift();
  rec.buffered.ev!.push("e");
  (rec.ext.locks as { held: { requestId: string } }).held.requestId = "changed";
  assert.equal(copy.inbox.length, 1);
  assert.equal(copy.waiting.go, [2, 3]);
  assert.equal(copy.buffered.ev, ["d"]);
  assert.equal(copy.ext, { locks: { held: { requestId: "q" } } });
});

test("a new instance's undefined history range stays in its commit copy and out of the stored JSON", () => {
  const rec: InstanceRecord = {
    instanceId: "i", name: "n", version: "v", execution: 0, status: "Running", input: null, output: null, error: null,
    customStatus: null, createdAt: 1, updatedAt: 2, frame: "{}", frameText: true, inbox: [], waiting: {}, buffered: {},
    historyFirst: undefined, historyLast: undefined, ext: {},
  };
  const copy = instanceForCommit(rec);
  assert.ok("historyFirst" in copy && copy.historyFirst === undefined);
  assert.equal(JSON.parse(JSON.stringify(copy)), roundTrip(rec));
});

test.run();
