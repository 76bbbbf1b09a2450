/**
 * Runs one operation of a transaction (`tx.entity(e, k).op(x)`) on the
 * entity's staged copy (docs/entities.md section 3): the first transactional
 * operation copies the committed state; signals and starts are staged with it;
 * the reply goes to the caller at once. An operation that throws leaves the
 * staged copy as it was.
 *
 * Invariant: the committed state (`rec.exists`, `rec.state`) is never
 * changed here; only `transactionEnd` with commit applies the staged copy.
 */
import type { Json } from "../../backends/types.ts";
import { decode, errorInfo } from "../../codec.ts";
import type { EntityId } from "../../machine.ts";
import type { Batch } from "../batch.ts";
import { replyToCaller } from "../entity-operation.ts";
import { encodePayload } from "../limits.ts";
import { operationContext, type StagedEffect } from "./entity-context.ts";
import { runOperation } from "./op-budget.ts";
import type { EntityOperationMessage, JsonTaskResult } from "../messages.ts";
import type { EntityRecord } from "../state/entity.ts";
import type { EntityLockRecord, StagedTransaction } from "./scheduler.ts";

export type { StagedEffect };

export function runTransactionalOperation(batch: Batch, rec: EntityRecord, lock: EntityLockRecord<EntityOperationMessage>, message: EntityOperationMessage): void {
  if (lock.lockedBy === undefined || lock.lockedBy.requestId !== message.requestId) {
    throw new Error(`transactional call ${message.requestId} on an entity not locked by it`);
  }
  const staged: StagedTransaction = lock.staged ?? {
    requestId: message.requestId,
    exists: rec.exists,
    state: rec.state,
    effects: [],
  };
  const result = invokeStaged(batch, rec.entity, staged, message);
  // A failed operation changed nothing of `staged`; a first one that failed leaves no staged copy at all.
  if (result.ok) lock.staged = staged;
  if (message.caller) replyToCaller(batch, message, result);
}

function invokeStaged(batch: Batch, id: EntityId, staged: StagedTransaction, message: EntityOperationMessage): JsonTaskResult {
  const definition = batch.app.entities.get(id.name);
  if (!definition) {
    return { ok: false, error: { name: "UnknownEntity", message: `no entity named "${id.name}" is registered on this host; add it to the host's app` } };
  }
  const op = definition.ops[message.op];
  if (typeof op !== "function") {
    return { ok: false, error: { name: "UnknownOperation", message: `entity "${id.name}" has no operation "${message.op}"; it has ${Object.keys(definition.ops).join(", ")}` } };
  }
  const where = `${id.name}(${id.key}).${message.op}`;
  const effects: StagedEffect[] = [];
  const { ectx, deleted } = operationContext(id, (effect) => effects.push(effect));
  try {
    const { state, value } = runOperation(batch, message, () => {
      const state = staged.exists ? decode(staged.state as Json) : definition.init();
      return { state, value: op(state, decode(message.input), ectx) };
    });
    if (value instanceof Promise) {
      value.catch(() => undefined);
      throw new TypeError(`entity operation ${where} returned a Promise; entity operations must be synchronous (do I/O in an activity)`);
    }
    const newState = deleted() ? null : encodePayload(state, `the state of entity ${id.name}(${id.key})`);
    const reply = encodePayload(value, `the result of ${where}`);
    staged.exists = !deleted();
    staged.state = newState;
    staged.effects.push(...effects);
    return { ok: true, value: reply };
  } catch (error) {
    return { ok: false, error: errorInfo(error) };
  }
}
