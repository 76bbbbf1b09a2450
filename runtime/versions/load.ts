/**
 * Turns stored code (bundle.ts: a CommonJS module text with `nwc` and
 * `nwc/engine` left as imports) back into the machine of one version. The
 * code runs with a `require` that hands it this host's own nwc modules, so
 * its machine uses the host's engine, codec and ctx; activities and entities
 * it defines are ignored (the running app resolves those by name).
 *
 * Invariant: the result is the machine of exactly the name and version asked
 * for, or an error that says what the code held instead. No `node:` import:
 * node builtins the code needs come from `requireBuiltin`, which the host
 * passes (absent in a browser).
 */
import type { Machine } from "../machine.ts";
import { defineMachine, type MachineDefinition } from "../engine/define.ts";

export interface HostModules {
  /** The `nwc` package entry (runtime/index.ts) of this host. */
  api: object;
  /** `nwc/engine` of this host. */
  engine: object;
  /** Node builtins (node:fs, ...) for code that imports them; undefined where there are none. */
  requireBuiltin?: (specifier: string) => unknown;
}

export function loadStoredMachine(code: string, name: string, version: string, modules: HostModules): Machine {
  const defined: Machine[] = [];
  // Every machine the code defines, exported or not: found through the engine it is handed.
  const engine = {
    ...modules.engine,
    defineMachine(def: MachineDefinition): Machine {
      const m = defineMachine(def);
      defined.push(m);
      return m;
    },
  };
  const require = (specifier: string): unknown => {
    if (specifier === "nwc") return modules.api;
    if (specifier === "nwc/engine") return engine;
    if (modules.requireBuiltin && (specifier.startsWith("node:") || !specifier.includes("/") && !specifier.startsWith("."))) return modules.requireBuiltin(specifier);
    throw new Error(`it requires "${specifier}", which a stored version cannot load (only nwc, nwc/engine and node builtins are left outside the stored code)`);
  };
  const module = { exports: {} as Record<string, unknown> };
  // The stored code is this app's own compiled code, stored by one of its hosts: it runs with the trust of the app.
  const run = new Function("require", "module", "exports", code) as (r: typeof require, m: typeof module, e: object) => void;
  run(require, module, module.exports);
  const machine = defined.find((m) => m.name === name && m.version === version);
  if (!machine) {
    const held = defined.map((m) => `${m.name}@${m.version}`).join(", ") || "no orchestration";
    throw new Error(`the stored code defines ${held}, not ${name}@${version}`);
  }
  return machine;
}
