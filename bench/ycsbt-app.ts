/**
 * The YCSB+T workload of de Heus et al. (DEBS 2021) for nwc: one `Record`
 * entity per key holding an integer; operations `read`, `write` (a
 * read-modify-write that keeps the value) and `transfer` (move 1 from one key
 * to another). A transfer runs either as a serializable transaction (lock,
 * operations on staged state, endTransaction, unlock: the commands
 * `ctx.transaction` compiles to) or as plain calls without isolation (the
 * baseline, whose sum may drift under concurrency).
 *
 * The orchestrations are hand-written machines (test/entities/gen-machine.ts)
 * issuing exactly the commands compiled code issues, so the figures measure
 * the runtime and the lock protocol, not the compiler.
 */
import { entity } from "../runtime/api.ts";
import type { EntityId } from "../runtime/machine.ts";
import { genOrchestration, value } from "../test/entities/gen-machine.ts";

export const record = entity("Record", {
  init: () => ({ value: 0 }),
  ops: {
    get: (s: { value: number }) => s.value,
    set: (s: { value: number }, v: number) => {
      s.value = v;
    },
    add: (s: { value: number }, d: number) => {
      s.value += d;
      return s.value;
    },
  },
});

const R = (k: string): EntityId => record.id(k);

/** Stage 1: set each key of the chunk to `initial`. */
export const ycsbInsert = genOrchestration("ycsbInsert", function* (input: { keys: string[]; initial: number }) {
  (yield input.keys.map((k) => ({ kind: "call" as const, entity: R(k), op: "set", input: input.initial }))).forEach(value);
  return input.keys.length;
});

export const ycsbRead = genOrchestration("ycsbRead", function* (key: string) {
  return value((yield [{ kind: "call", entity: R(key), op: "get" }])[0]);
});

export const ycsbWrite = genOrchestration("ycsbWrite", function* (key: string) {
  return value((yield [{ kind: "call", entity: R(key), op: "add", input: 0 }])[0]);
});

export const ycsbTransferTx = genOrchestration("ycsbTransferTx", function* (t: { from: string; to: string }) {
  const set = [R(t.from), R(t.to)];
  const [g] = yield [{ kind: "lock", entities: set }];
  value(g);
  const v = value((yield [{ kind: "call", entity: R(t.from), op: "get", transactionId: g.taskId }])[0]);
  let moved = false;
  if (v >= 1) {
    (yield [
      { kind: "call", entity: R(t.from), op: "add", input: -1, transactionId: g.taskId },
      { kind: "call", entity: R(t.to), op: "add", input: 1, transactionId: g.taskId },
    ]).forEach(value);
    moved = true;
  }
  yield [{ kind: "endTransaction", lockTaskId: g.taskId, entities: set, commit: true }, { kind: "unlock", lockTaskId: g.taskId, entities: set }];
  return moved;
});

export const ycsbTransferPlain = genOrchestration("ycsbTransferPlain", function* (t: { from: string; to: string }) {
  const v = value((yield [{ kind: "call", entity: R(t.from), op: "get" }])[0]);
  if (v < 1) return false;
  (yield [{ kind: "call", entity: R(t.from), op: "add", input: -1 }, { kind: "call", entity: R(t.to), op: "add", input: 1 }]).forEach(value);
  return true;
});

/**
 * The sum over all keys, read without a lock once the run is over (a lock over
 * 5,000 keys would be forwarded through 5,000 entities one after the other).
 */
export const ycsbSum = genOrchestration("ycsbSum", function* (keys: string[]) {
  const values = (yield keys.map((k) => ({ kind: "call" as const, entity: R(k), op: "get" }))).map(value);
  return values.reduce((a: number, b: number) => a + b, 0);
});

export const app = [record, ycsbInsert, ycsbRead, ycsbWrite, ycsbTransferTx, ycsbTransferPlain, ycsbSum];
