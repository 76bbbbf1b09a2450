/**
 * Running one entity operation: on a decoded copy of the state, so an
 * operation that throws leaves the state as it was and its signals and
 * starts are dropped with it; on success the new state (or its deletion),
 * the effects and the reply to the caller all go into this batch.
 *
 * Invariant: operations are synchronous: they run one at a time per entity,
 * in the order the partition applies their messages.
 */
import type { Entity } from "../api.ts";
import { decode, errorInfo } from "../codec.ts";
import type { EntityId, ErrorInfo } from "../machine.ts";
import type { Batch } from "./batch.ts";
import { operationContext } from "./entities/entity-context.ts";
import { runOperation } from "./entities/op-budget.ts";
import { encodePayload } from "./limits.ts";
import type { AnyMessage, CoreMessage, EntityOperationMessage, JsonTaskResult, WakeSource } from "./messages.ts";
import { entityObjectKey, isEmptyEntity, type EntityRecord } from "./state/entity.ts";

/** Loads (or makes) the entity record; `undefined` state means init() runs on first use. */
export function entityRecord(batch: Batch, entity: EntityId): EntityRecord {
  return batch.objects.get<EntityRecord>(entityObjectKey(entity)) ?? { entity, exists: false, state: null, ext: {} };
}

export function saveEntity(batch: Batch, rec: EntityRecord): void {
  const key = entityObjectKey(rec.entity);
  if (isEmptyEntity(rec)) {
    if (batch.objects.get(key) !== undefined) batch.objects.delete(key);
  } else {
    batch.objects.set(key, rec);
  }
}

function entityError(name: string, message: string): ErrorInfo {
  return { name, message };
}

/** Runs `message` on `rec` now and saves the record. */
export function runEntityOperation(batch: Batch, rec: EntityRecord, message: EntityOperationMessage): void {
  const definition = batch.app.entities.get(message.entity.name);
  let result: JsonTaskResult;
  if (!definition) {
    result = { ok: false, error: entityError("UnknownEntity", `no entity named "${message.entity.name}" is registered on this host; add it to the host's app`) };
  } else if (typeof definition.ops[message.op] !== "function") {
    result = {
      ok: false,
      error: entityError("UnknownOperation", `entity "${message.entity.name}" has no operation "${message.op}"; it has ${Object.keys(definition.ops).join(", ")}`),
    };
  } else {
    result = invoke(batch, rec, definition, message);
  }
  saveEntity(batch, rec);
  if (message.caller) replyToCaller(batch, message, result);
  else if (!result.ok) batch.env.log("warn", `signal ${message.entity.name}(${message.entity.key}).${message.op} failed: ${result.error.message}`);
}

function invoke(batch: Batch, rec: EntityRecord, definition: Entity, message: EntityOperationMessage): JsonTaskResult {
  const effects: { entity?: EntityId; instanceId?: string; body: CoreMessage | AnyMessage }[] = [];
  const where = `${message.entity.name}(${message.entity.key}).${message.op}`;
  const { ectx, deleted } = operationContext(message.entity, (effect) => effects.push(effect));
  try {
    const { state, value } = runOperation(batch, message, () => {
      const state = rec.exists ? decode(rec.state) : definition.init();
      return { state, value: definition.ops[message.op]!(state, decode(message.input), ectx) };
    });
    if (value instanceof Promise) {
      value.catch(() => undefined);
      throw new TypeError(`entity operation ${where} returned a Promise; entity operations must be synchronous (do I/O in an activity)`);
    }
    const newState = deleted() ? null : encodePayload(state, `the state of entity ${message.entity.name}(${message.entity.key})`);
    const reply = encodePayload(value, `the result of ${where}`);
    rec.exists = !deleted();
    rec.state = newState;
    for (const e of effects) {
      if (e.entity) batch.sendToEntity(e.entity, e.body);
      else batch.sendToInstance(e.instanceId!, e.body);
    }
    return { ok: true, value: reply };
  } catch (error) {
    return { ok: false, error: errorInfo(error) };
  }
}

/** Sends an entity call's result to the calling task, saying (while the history is on) which operation it answers. */
export function replyToCaller(batch: Batch, message: EntityOperationMessage, result: JsonTaskResult): void {
  const to = message.caller!;
  const source: WakeSource = { kind: "entity", name: `${message.entity.name}(${message.entity.key}).${message.op}` };
  batch.sendToInstance(to.instanceId, batch.env.historyLimit > 0 ? { kind: "wake", to, result, source } : { kind: "wake", to, result });
}
