/**
 * The stored form of a history step (runtime/partitions/state/history-row.ts):
 * every field a step can have survives the row and its JSON text, absent
 * fields stay absent, and steps stored by earlier versions (a HistoryStep's
 * JSON text, or the object) read as they were.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { HistoryStep } from "../../runtime/history.ts";
import { commandRow, readStoredStep, stepRowTail, stepText, waitText, wakeRow, type ErrorRow, type WaitValue } from "../../runtime/partitions/state/history-row.ts";

/** What appendStep stores: the row with its seq. */
const stored = (seq: number, tail: string): string => stepText(seq, tail);
/** A step's row tail from lists of wake and command rows and wait values. */
const stepRow = (atMs: number, outcome: HistoryStep["outcome"], wakes: string[], commands: string[], waits: WaitValue[] | undefined, execution: number, error: ErrorRow | undefined): string =>
  stepRowTail(atMs, outcome, wakes.join(","), commands.join(","), (waits ?? []).map(waitText).join(","), execution, error);

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

/*
 * The writers build the text directly; what they must write is JSON.stringify of the row as an array
 * (trailing absent fields left off, inner ones null), which readers of every version parse.
 */
const WAKES = ["activity", "timer", "event", "subOrchestration", "entity", "lock", "reply"] as const;
const OUTCOMES = ["running", "completed", "failed", "continuedAsNew"] as const;
const COMMANDS = ["activity", "subOrchestration", "timer", "waitEvent", "callEntity", "signalEntity", "lock", "unlock", "endTransaction", "setStatus"];
function arrayRow(fields: unknown[]): unknown[] {
  let n = fields.length;
  while (n > 0 && fields[n - 1] === undefined) n--;
  return fields.slice(0, n);
}

test("built rows are JSON.stringify of the row, over generated steps with poison strings and numbers", () => {
  let seed = 20261205;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  const POISON = ["greet", "", 'a "quote"', "back\\slash", "line\nbreak", "\u2028\u2029", "\ud800 lone", "é ü 漢", "</script>", "null", "[1]"];
  const str = (): string | undefined => (rand(3) === 0 ? undefined : POISON[rand(POISON.length)]! + (rand(2) ? String(rand(100)) : ""));
  const NUMBERS = [0, 1, 7, 2 ** 31, 1_764_900_000_123, -3, 0.5, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER];
  const numOrNot = (): number | undefined => (rand(3) === 0 ? undefined : NUMBERS[rand(NUMBERS.length)]);
  const err = (): ErrorRow | undefined => (rand(3) === 0 ? [str() ?? "Error", str() ?? ""] : undefined);
  for (let i = 0; i < 3_000; i++) {
    const wakes: [string, unknown[]][] = [];
    for (let k = rand(4); k > 0; k--) {
      const a = [NUMBERS[rand(NUMBERS.length)]!, WAKES[rand(WAKES.length)]!, rand(2) === 1, str(), str(), err(), numOrNot(), err()] as const;
      wakes.push([wakeRow(...a), arrayRow([a[0], WAKES.indexOf(a[1]), a[2] ? 1 : 0, a[3], a[4], a[5], a[6], a[7]])]);
    }
    const commands: [string, unknown[]][] = [];
    for (let k = rand(4); k > 0; k--) {
      const kind = rand(5) === 0 ? str() ?? "later" : COMMANDS[rand(COMMANDS.length)]!;
      const a = [kind, numOrNot(), str(), str(), str(), str(), numOrNot()] as const;
      const code = COMMANDS.indexOf(kind);
      commands.push([commandRow(...a), arrayRow([code >= 0 ? code : kind, a[1], a[2], a[3], a[4], a[5], a[6]])]);
    }
    const waits: WaitValue[] = Array.from({ length: rand(3) }, () => (rand(2) ? rand(500) : str() ?? "await x"));
    const outcome = OUTCOMES[rand(OUTCOMES.length)]!;
    const atMs = NUMBERS[rand(NUMBERS.length)]!;
    const execution = rand(3) === 0 ? rand(5) : 0;
    const error = err();
    const seq = 1 + rand(10_000);
    const row: unknown[] = [seq, atMs, OUTCOMES.indexOf(outcome), wakes.map((w) => w[1]), commands.map((c) => c[1]), waits];
    if (execution > 0 || error !== undefined) row.push(execution);
    if (error !== undefined) row.push(error);
    const built = stored(seq, stepRow(atMs, outcome, wakes.map((w) => w[0]), commands.map((c) => c[0]), waits, execution, error));
    assert.is(built, JSON.stringify(row), `step ${i}`);
  }
});

test.run();
