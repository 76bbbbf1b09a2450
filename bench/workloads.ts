/**
 * The two sets of runtime benchmark workloads: compiled (bench/runtime-app.ts,
 * compiled by nwc's compiler now, as `nwc build` or compile-on-load would)
 * and hand-written (bench/runtime-machines.ts, the floor). Both sets use the
 * same names, so a host runs either one and instance ids need no prefix.
 */
import { compileModules } from "../test/entities/harness.ts";
import { fanOut, idle, longLoop, sequence } from "./runtime-machines.ts";

export type VariantName = "compiled" | "hand-written";

export interface Workloads {
  hello3: any;
  hello5: any;
  fan100: any;
  loop: any;
  idler: any;
  /** Everything a host needs: the orchestrations above and their activities. */
  app: unknown[];
}

/** Compiles bench/runtime-app.ts (type check, effect checks, lowering) and builds both sets; throws with the diagnostics if it does not compile. */
export async function loadWorkloads(): Promise<Record<VariantName, Workloads>> {
  const compiled = (await compileModules(["../../bench/runtime-app.ts"])).get("runtime-app.ts");
  if (!compiled) throw new Error("compiling bench/runtime-app.ts gave no module");
  const { greet, noop } = compiled;
  const handWritten = {
    hello3: sequence("hello3", "greet", 3),
    hello5: sequence("hello5", "greet", 5),
    fan100: fanOut("fan100", "noop", 100),
    loop: longLoop("loop", "noop"),
    idler: idle("idler"),
  };
  const withApp = (w: Omit<Workloads, "app">): Workloads => ({ ...w, app: [greet, noop, w.hello3, w.hello5, w.fan100, w.loop, w.idler] });
  return {
    compiled: withApp({ hello3: compiled.hello3, hello5: compiled.hello5, fan100: compiled.fan100, loop: compiled.loop, idler: compiled.idler }),
    "hand-written": withApp(handWritten),
  };
}
