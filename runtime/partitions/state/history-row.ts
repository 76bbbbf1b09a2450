/**
 * The stored form of a history step (runtime/history.ts): a compact JSON
 * array, a "row", written by the journal (runtime/partitions/journal.ts) and
 * read back into a HistoryStep by the history reader. Every step is paid for
 * in its commit record, its checkpoint and the store's memory, so the row
 * carries positions instead of key names and small codes instead of the
 * outcome and kind words: a Hello5 step is about 60 bytes instead of 200.
 *
 *   step    [seq, atMs, outcome, wakes, commands, waits, execution?, error?]
 *   wake    [taskId, kind, ok (1|0), name?, instanceId?, error?, attempts?, lastError?]
 *   command [kind, taskId?, name?, instanceId?, entity?, op?, fireAtMs?]
 *   wait    a source line (number) or a graph label (string)
 *   error   [name, message]
 *
 * outcome and wake kinds are indexes into the tables below; a command kind is
 * an index into COMMAND_KINDS, or its name when the table lacks it. Absent
 * optional entries are null inside a row and left off at its end. The tables
 * only ever grow at their end: stored rows keep their meaning.
 *
 * Steps stored by earlier versions (a HistoryStep's JSON text, or the object
 * itself) read as they are: a row is the only stored form that is an array.
 */
import type { HistoryCommand, HistoryError, HistoryStep, HistoryWake, HistoryWakeKind } from "../../history.ts";

const OUTCOMES: readonly HistoryStep["outcome"][] = ["running", "completed", "failed", "continuedAsNew"];
const WAKE_KINDS: readonly HistoryWakeKind[] = ["activity", "timer", "event", "subOrchestration", "entity", "lock", "reply"];
const COMMAND_KINDS: readonly string[] = ["activity", "subOrchestration", "timer", "waitEvent", "callEntity", "signalEntity", "lock", "unlock", "endTransaction", "setStatus"];

export type Row = unknown[];
export type ErrorRow = [name: string, message: string];
/** Where a step waits: a source line, or the graph's label of a state without one. */
export type WaitValue = number | string;

/*
 * The writers below build a row's JSON text directly, with no arrays and no
 * JSON.stringify on the way: this runs after every step of every instance
 * (measured: 1-2% of a compiled Hello5's instructions saved, docs/runtime.md,
 * "The cost of the history"). The text is exactly JSON.stringify of the
 * row; test/history/history-row.test.ts checks that over generated steps.
 */

/** JSON text of a number; a non-finite one is null, as in JSON.stringify. */
const num = (n: number): string => (Number.isFinite(n) ? String(n) : "null");

/** The JSON text of names (activities, events, operations), made once per name: the same few recur in every step. */
const quotedNames = new Map<string, string>();
const MAX_QUOTED_NAMES = 10_000;
function quotedName(name: string): string {
  let text = quotedNames.get(name);
  if (text === undefined) {
    if (quotedNames.size >= MAX_QUOTED_NAMES) quotedNames.clear(); // names are few; an app with endless ones only loses the cache
    text = JSON.stringify(name);
    quotedNames.set(name, text);
  }
  return text;
}

const errorText = (error: ErrorRow): string => `[${JSON.stringify(error[0])},${JSON.stringify(error[1])}]`;

/**
 * Joins a row's fields (each already JSON text, or undefined when absent):
 * absent fields at the end are left off, those before a present one are null.
 */
function rowText(fields: (string | undefined)[]): string {
  let n = fields.length;
  while (n > 0 && fields[n - 1] === undefined) n--;
  let text = "[";
  for (let i = 0; i < n; i++) text += (i > 0 ? "," : "") + (fields[i] ?? "null");
  return text + "]";
}

/**
 * A step's row without its seq, which appendStep (state/history.ts) puts
 * before it (`stepText`). `wakes` and `commands` are texts of wakeRow and
 * commandRow joined with commas, `waits` of waitText values.
 */
export function stepRowTail(atMs: number, outcome: HistoryStep["outcome"], wakes: string, commands: string, waits: string, execution: number, error: ErrorRow | undefined): string {
  let tail = `,${num(atMs)},${OUTCOMES.indexOf(outcome)},[${wakes}],[${commands}],[${waits}]`;
  if (execution > 0 || error !== undefined) tail += `,${num(execution)}`;
  if (error !== undefined) tail += `,${errorText(error)}`;
  return tail + "]";
}

/** A whole step's text: the row of `tail` with its seq, one flat string (kept until the checkpoint: see historyKey). */
export const stepText = (seq: number, tail: string): string => ["[", num(seq), tail].join("");

/** The JSON text of a wait value. */
export const waitText = (wait: WaitValue): string => (typeof wait === "number" ? num(wait) : JSON.stringify(wait));

export function wakeRow(taskId: number, kind: HistoryWakeKind, ok: boolean, name?: string, instanceId?: string, error?: ErrorRow, attempts?: number, lastError?: ErrorRow): string {
  // The common wake, a named result of a first attempt, without the general path's field list.
  if (name !== undefined && instanceId === undefined && error === undefined && attempts === undefined && lastError === undefined) {
    return `[${num(taskId)},${WAKE_KINDS.indexOf(kind)},${ok ? 1 : 0},${quotedName(name)}]`;
  }
  return rowText([
    num(taskId),
    String(WAKE_KINDS.indexOf(kind)),
    ok ? "1" : "0",
    name === undefined ? undefined : quotedName(name),
    instanceId === undefined ? undefined : JSON.stringify(instanceId),
    error && errorText(error),
    attempts === undefined ? undefined : num(attempts),
    lastError && errorText(lastError),
  ]);
}

export function commandRow(kind: string, taskId?: number, name?: string, instanceId?: string, entity?: string, op?: string, fireAtMs?: number): string {
  const code = COMMAND_KINDS.indexOf(kind);
  const kindText = code >= 0 ? String(code) : quotedName(kind);
  // The common command, a named call with its task id (an activity, an event wait).
  if (taskId !== undefined && name !== undefined && instanceId === undefined && entity === undefined && op === undefined && fireAtMs === undefined) {
    return `[${kindText},${num(taskId)},${quotedName(name)}]`;
  }
  return rowText([
    kindText,
    taskId === undefined ? undefined : num(taskId),
    name === undefined ? undefined : quotedName(name),
    instanceId === undefined ? undefined : JSON.stringify(instanceId),
    entity === undefined ? undefined : JSON.stringify(entity),
    op === undefined ? undefined : quotedName(op),
    fireAtMs === undefined ? undefined : num(fireAtMs),
  ]);
}

/** A stored step, of any version, as a HistoryStep; a value that is none of its forms throws, saying what it is. */
export function readStoredStep(value: unknown): HistoryStep {
  let stored = value;
  if (typeof value === "string") {
    try {
      stored = JSON.parse(value);
    } catch {
      throw malformed(value);
    }
  }
  if (!Array.isArray(stored)) {
    const step = stored as HistoryStep | null;
    if (typeof step !== "object" || step === null || typeof step.seq !== "number" || !Array.isArray(step.wakes) || !Array.isArray(step.commands)) throw malformed(value);
    return step;
  }
  const [seq, atMs, outcome, wakes, commands, waits, execution, error] = stored as [number, number, number, Row[], Row[], WaitValue[], number?, ErrorRow?];
  if (typeof seq !== "number" || typeof atMs !== "number" || ![wakes, commands, waits].every(Array.isArray) || !wakes.every(Array.isArray) || !commands.every(Array.isArray)) throw malformed(value);
  const step: HistoryStep = { seq, atMs, wakes: wakes.map(readWake), commands: commands.map(readCommand), outcome: OUTCOMES[outcome] ?? "running" };
  if (execution) step.execution = execution;
  if (error) step.error = readError(error);
  if (waits.length > 0) step.waitsAt = waits.map((w) => (typeof w === "number" ? { line: w } : { label: w }));
  return step;
}

function readWake(row: Row): HistoryWake {
  const [taskId, kind, ok, name, instanceId, error, attempts, lastError] = row as [number, number, number, string?, string?, ErrorRow?, number?, ErrorRow?];
  const wake: HistoryWake = { taskId, kind: WAKE_KINDS[kind] ?? "reply", ok: ok === 1 };
  if (name != null) wake.name = name;
  if (instanceId != null) wake.instanceId = instanceId;
  if (error != null) wake.error = readError(error);
  if (attempts != null) wake.attempts = attempts;
  if (lastError != null) wake.lastError = readError(lastError);
  return wake;
}

function readCommand(row: Row): HistoryCommand {
  const [kind, taskId, name, instanceId, entity, op, fireAtMs] = row as [number | string, number?, string?, string?, string?, string?, number?];
  const command: HistoryCommand = { kind: typeof kind === "number" ? COMMAND_KINDS[kind] ?? String(kind) : kind };
  if (taskId != null) command.taskId = taskId;
  if (name != null) command.name = name;
  if (instanceId != null) command.instanceId = instanceId;
  if (entity != null) command.entity = entity;
  if (op != null) command.op = op;
  if (fireAtMs != null) command.fireAtMs = fireAtMs;
  return command;
}

const readError = ([name, message]: ErrorRow): HistoryError => ({ name, message });

function malformed(value: unknown): Error {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return new Error(`a stored history step is not a step of any form nwc writes: ${text.slice(0, 120)}; the store was changed outside nwc (purge the instance to drop its history)`);
}
