/**
 * The values compiled code holds in its frame besides user data: task handles,
 * the ctx object, granted critical sections, sagas, transaction contexts and
 * the continue-as-new marker. Each is a codec-registered class, so a frame
 * that holds them round-trips through `encode`/`decode` unchanged.
 *
 * Invariant: these objects carry only ids; all mutable state lives in the
 * frame's tables, where every step finds it.
 */
import { declareExactCodec, registerClass } from "../codec.ts";
import type { EntityId } from "../machine.ts";

/** A durable task: an id into the frame's task table. Deliberately not thenable. */
export class TaskRef {
  constructor(readonly id: number) {}
}

export class ContinueAsNew {
  constructor(readonly input: unknown) {}
}

export class SagaRef {
  constructor(readonly id: number) {}
}

export class TxContextRef {
  constructor(readonly lockTaskId: number, readonly entities: EntityId[]) {}
}

registerClass({ name: "nwc.Task", ctor: TaskRef, encode: (t) => t.id, decode: (id: number) => new TaskRef(id) });
registerClass({ name: "nwc.ContinueAsNew", ctor: ContinueAsNew, encode: (c) => c.input, decode: (input) => new ContinueAsNew(input) });
registerClass({ name: "nwc.Saga", ctor: SagaRef, encode: (s) => s.id, decode: (id: number) => new SagaRef(id) });
// A task or saga handle is its id, read-only: the decoded handle can stand in for the live one.
declareExactCodec("nwc.Task");
declareExactCodec("nwc.Saga");
registerClass({
  name: "nwc.TransactionContext",
  ctor: TxContextRef,
  encode: (t) => ({ l: t.lockTaskId, e: t.entities }),
  decode: (d: { l: number; e: EntityId[] }) => new TxContextRef(d.l, d.e),
});
