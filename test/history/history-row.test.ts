/**
 * The stored form of a history step (runtime/partitions/state/history-row.ts):
 * every field a step can have survives the row and its JSON text, absent
 * fields stay absent, and steps stored by earlier versions (a HistoryStep's
 * JSON text, or the object) read as they were.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { HistoryStep } from "../../runtime/history.ts";
import { commandRow, readStoredStep, stepRow, wakeRow } from "../../runtime/partitions/state/history-row.ts";

/** What appendStep stores: the row with its seq, as JSON text. */
const stored = (seq: number, row: unknown[]): string => JSON.stringify([seq, ...row.slice(1)]);

test("a step with every kind of wake and command reads back whole", () => {
  const wakes = [
    wakeRow(2, "activity", true, "greet", undefined, undefined, 3, ["Error", "attempt 2 failed"]),
    wakeRow(3, "activity", false, "broken", undefined, ["TypeError", 'a "quoted" message \u2028 é']),
    wakeRow(4, "timer", true),
    wakeRow(5, "event", true, "approval"),
    wakeRow(6, "subOrchestration", true, "child", "id-child"),
    wakeRow(7, "entity", true, "Counter(a).add"),
    wakeRow(8, "lock", true),
    wakeRow(9, "reply", false, undefined, undefined, ["Error", "no source"]),
  ];
  const commands = [
    commandRow("activity", 10, "greet"),
    commandRow("subOrchestration", 11, "child", "id-child"),
    commandRow("timer", 12, undefined, undefined, undefined, undefined, 1_764_900_000_000),
    commandRow("waitEvent", 13, "approval"),
    commandRow("callEntity", 14, undefined, undefined, "Counter(a)", "add"),
    commandRow("signalEntity", undefined, undefined, undefined, "Counter(b)", "reset"),
    commandRow("lock", 15, undefined, undefined, "Account(a), Account(b)"),
    commandRow("unlock", undefined, undefined, undefined, "Account(a), Account(b)"),
    commandRow("endTransaction", undefined, undefined, undefined, "Account(a)"),
    commandRow("setStatus"),
    commandRow("aKindOfALaterVersion", 16),
  ];
  const row = stepRow(1_764_900_000_123, "running", wakes, commands, [24, "await Promise.all([a, b])"], 2, undefined);
  const expected: HistoryStep = {
    seq: 7,
    atMs: 1_764_900_000_123,
    execution: 2,
    wakes: [
      { taskId: 2, kind: "activity", ok: true, name: "greet", attempts: 3, lastError: { name: "Error", message: "attempt 2 failed" } },
      { taskId: 3, kind: "activity", ok: false, name: "broken", error: { name: "TypeError", message: 'a "quoted" message \u2028 é' } },
      { taskId: 4, kind: "timer", ok: true },
      { taskId: 5, kind: "event", ok: true, name: "approval" },
      { taskId: 6, kind: "subOrchestration", ok: true, name: "child", instanceId: "id-child" },
      { taskId: 7, kind: "entity", ok: true, name: "Counter(a).add" },
      { taskId: 8, kind: "lock", ok: true },
      { taskId: 9, kind: "reply", ok: false, error: { name: "Error", message: "no source" } },
    ],
    commands: [
      { kind: "activity", taskId: 10, name: "greet" },
      { kind: "subOrchestration", taskId: 11, name: "child", instanceId: "id-child" },
      { kind: "timer", taskId: 12, fireAtMs: 1_764_900_000_000 },
      { kind: "waitEvent", taskId: 13, name: "approval" },
      { kind: "callEntity", taskId: 14, entity: "Counter(a)", op: "add" },
      { kind: "signalEntity", entity: "Counter(b)", op: "reset" },
      { kind: "lock", taskId: 15, entity: "Account(a), Account(b)" },
      { kind: "unlock", entity: "Account(a), Account(b)" },
      { kind: "endTransaction", entity: "Account(a)" },
      { kind: "setStatus" },
      { kind: "aKindOfALaterVersion", taskId: 16 },
    ],
    outcome: "running",
    waitsAt: [{ line: 24 }, { label: "await Promise.all([a, b])" }],
  };
  assert.equal(readStoredStep(stored(7, row)), expected);
});

test("each outcome, the failure that ended an instance, and a step that waits nowhere", () => {
  const failed = readStoredStep(stored(3, stepRow(5, "failed", [], [], undefined, 0, ["RangeError", "too far"])));
  assert.equal(failed, { seq: 3, atMs: 5, wakes: [], commands: [], outcome: "failed", error: { name: "RangeError", message: "too far" } });
  for (const outcome of ["running", "completed", "continuedAsNew"] as const) {
    assert.equal(readStoredStep(stored(1, stepRow(5, outcome, [], [], undefined, 0, undefined))), { seq: 1, atMs: 5, wakes: [], commands: [], outcome });
  }
});

test("a Hello5 step is a short row: no key names, no words for kinds", () => {
  const text = stored(2, stepRow(1_796_460_502_042, "running", [wakeRow(2, "activity", true, "greet")], [commandRow("activity", 3, "greet")], [24], 0, undefined));
  assert.is(text, '[2,1796460502042,0,[[2,0,1,"greet"]],[[0,3,"greet"]],[24]]');
});

test("steps stored by earlier versions, as a HistoryStep's JSON text or as the object, read as they were", () => {
  const old: HistoryStep = { seq: 4, atMs: 9, wakes: [{ taskId: 2, kind: "activity", ok: true, name: "greet" }], commands: [{ kind: "activity", taskId: 3, name: "greet" }], outcome: "running", waitsAt: [{ line: 24 }] };
  assert.equal(readStoredStep(JSON.stringify(old)), old);
  assert.equal(readStoredStep(structuredClone(old)), old);
});

test("a stored value that is no step says so, whatever its form", () => {
  for (const bad of ["[1,2", "[\"x\",1,0,[],[],[]]", "[1,2,0,{},[],[]]", "[1,2,0,[5],[],[]]", "{\"seq\":\"1\"}", "42", 42, null]) {
    assert.throws(() => readStoredStep(bad), /not a step of any form nwc writes/, `for ${JSON.stringify(bad)}`);
  }
});

test.run();
