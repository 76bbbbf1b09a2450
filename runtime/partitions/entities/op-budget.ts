/**
 * The step budget of entity operations. An operation is synchronous user code
 * run inside a batch: an endless loop in it would hold the partition for ever,
 * and, since the message that triggered it is in the channel, every restart
 * would run it again while recovering. Under the budget (engine/budget.ts, the
 * same count as orchestration steps: `PartitionOptions.stepBudget`) it fails
 * instead: the caller gets StepBudgetExceeded naming the entity, the
 * operation and the line, the state stays as it was (the operation ran on a
 * copy), and the batch, and the partition, go on.
 */
import { DEFAULT_STEP_BUDGET } from "../../machine.ts";
import { runWithBudget } from "../../engine/budget.ts";
import type { Batch } from "../batch.ts";
import type { EntityOperationMessage } from "../messages.ts";

/** Runs `fn` (init if needed, then the operation) under the partition's step budget. */
export function runOperation<T>(batch: Batch, message: EntityOperationMessage, fn: () => T): T {
  return runWithBudget(batch.env.stepBudget ?? DEFAULT_STEP_BUDGET, `entity "${message.entity.name}" operation "${message.op}"`, fn);
}
