/**
 * The `ectx` an entity operation receives, for both kinds of run (a plain
 * operation, entity-operation.ts; one inside a transaction,
 * transactional-operation.ts): `signal` and `start` only collect messages, which
 * the caller sends with the new state if the operation succeeds and drops with
 * it if it throws; `deleteState` only marks the state for deletion.
 */
import type { Entity, EntityContext, Orchestration } from "../../api.ts";
import type { EntityId } from "../../machine.ts";
import { encodePayload } from "../limits.ts";
import type { EntityOperationMessage, StartInstanceMessage } from "../messages.ts";

/** A message an operation asked for: to an entity, or starting an instance. */
export interface StagedEffect {
  entity?: EntityId;
  instanceId?: string;
  body: EntityOperationMessage | StartInstanceMessage;
}

export interface OperationContext {
  ectx: EntityContext;
  /** Whether the operation called `deleteState()`. */
  deleted(): boolean;
}

export function operationContext(id: EntityId, emit: (effect: StagedEffect) => void): OperationContext {
  let deleted = false;
  const ectx: EntityContext = {
    id,
    signal(entity: Entity, key: string) {
      return new Proxy({}, {
        get: (_t, op) => (input: unknown) => {
          if (typeof op !== "string") return;
          const target = entity.id(key);
          emit({ entity: target, body: { kind: "entityOperation", entity: target, op, input: encodePayload(input, `the input of ${entity.name}.${op}`) } });
        },
      }) as any;
    },
    start(orchestration: Orchestration, input: unknown, options?: { instanceId?: string }) {
      const instanceId = options?.instanceId ?? globalThis.crypto.randomUUID();
      emit({
        instanceId,
        body: { kind: "startInstance", instanceId, name: orchestration.name, input: encodePayload(input, `the input of orchestration "${orchestration.name}"`) },
      });
      return instanceId;
    },
    deleteState() {
      deleted = true;
    },
  };
  return { ectx, deleted: () => deleted };
}
