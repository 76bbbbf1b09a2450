/**
 * The runtime half of compiled orchestrations: what emitted code imports as
 * "nwc/engine". Browser-safe (no `node:` imports).
 */
export { defineMachine, type MachineDefinition } from "./define.ts";
export { registerModule, registerBuiltin, lookup, type CompiledFunction } from "./registry.ts";
export { callCompiled } from "./rt.ts";
export { tick, StepBudgetExceeded, runWithBudget } from "./budget.ts";
export { tslib } from "./tslib.ts";
export { contentHash } from "./hash.ts";
export { TaskRef, ContinueAsNew } from "./values.ts";
export { theContext } from "./context.ts";
export type { FrameData } from "./frame.ts";
