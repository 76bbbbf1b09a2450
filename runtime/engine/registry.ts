/**
 * The table of compiled step functions, keyed by a stable string
 * ("<module hash>#<index>"), which is what a frame's branch stores instead of a
 * function. Compiled modules register their table when they load; built-in
 * step functions (transaction, saga) register under "nwc:*".
 *
 * Invariant: a key names the same code for as long as the module's content
 * hash is unchanged; a frame naming an unknown key fails with a message that
 * says which module to load.
 */
import type { Op, StepBody } from "./generator.ts";

export interface CompiledFunction {
  /** Name for diagnostics and the graph. */
  name: string;
  /** Parameter names: the arguments land in the new scope under these names. */
  params: string[];
  /** Statements run when the activation starts (parameter defaults), or undefined. */
  pre?: (scopes: Record<string, unknown>[], rt: unknown, args: unknown[]) => void;
  body: StepBody;
  /** Source line of the function, for the graph. */
  line?: number;
}

const table = new Map<string, CompiledFunction>();

export function registerModule(moduleHash: string, fns: CompiledFunction[]): string[] {
  if (typeof moduleHash !== "string" || !Array.isArray(fns)) throw new TypeError("registerModule(hash, functions): bad arguments");
  return fns.map((fn, i) => {
    const key = `${moduleHash}#${i}`;
    table.set(key, fn);
    return key;
  });
}

export function registerBuiltin(key: string, fn: CompiledFunction): void {
  table.set(key, fn);
}

export function lookup(key: string): CompiledFunction {
  const fn = table.get(key);
  if (!fn) {
    throw new Error(
      `nwc engine: the frame refers to compiled function ${key}, which is not loaded; import the module that defines it (was the code changed while the instance ran?)`,
    );
  }
  return fn;
}

export type { Op };
