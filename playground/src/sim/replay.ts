/**
 * Crash and resume, checked: a run is a script of actions (start, run,
 * advance the clock, raise an event, crash). `replay` performs the script;
 * at each "crash" it keeps only the snapshot text, drops the driver (and, via
 * `reload`, the loaded machine), and restores a fresh one from the text.
 * `compareWithUncrashed` replays the same script without the crashes and
 * compares outcome, frame and entity states of both runs as codec-encoded text.
 *
 * Invariant: a crash changes nothing observable: both runs end equal.
 */
import { serialize } from "../../../runtime/codec.ts";
import type { Machine } from "../../../runtime/machine.ts";
import type { SimSettings } from "./activity-sim.ts";
import { Driver, type SimApp } from "./driver.ts";

export type Action =
  | { kind: "run" }
  | { kind: "advance"; ms: number }
  | { kind: "raise"; name: string; data: unknown }
  | { kind: "crash" };

export interface Script {
  input: unknown;
  settings: SimSettings;
  actions: Action[];
}

/** Loads the program again (a new process after a crash); by default the same machine. */
export type Reload = () => Promise<{ machine: Machine; app: SimApp }>;

export async function applyAction(d: Driver, a: Action): Promise<void> {
  if (a.kind === "run") await d.run();
  else if (a.kind === "advance") await d.advance(a.ms);
  else if (a.kind === "raise") await d.raise(a.name, a.data);
}

export async function replay(machine: Machine, app: SimApp, script: Script, options: { crashes: boolean; reload?: Reload }): Promise<{ driver: Driver; crashes: number }> {
  let driver = Driver.start(machine, app, script.input, script.settings);
  let crashes = 0;
  for (const a of script.actions) {
    if (a.kind !== "crash") {
      await applyAction(driver, a);
      continue;
    }
    if (!options.crashes) continue;
    const text = driver.snapshot();
    const loaded = options.reload ? await options.reload() : { machine, app };
    driver = Driver.restore(loaded.machine, loaded.app, text);
    crashes++;
  }
  return { driver, crashes };
}

export interface Observable {
  outcome: string;
  frame: string;
  entities: string;
  steps: number;
}

export function observe(d: Driver): Observable {
  return { outcome: serialize(d.outcome), frame: serialize(d.frame), entities: serialize(d.state.entities.states), steps: d.state.steps };
}

export interface Comparison {
  crashed: Observable;
  uncrashed: Observable;
  equal: boolean;
  /** Which parts differ, empty when equal. */
  differences: string[];
}

export function compareObservables(crashed: Observable, uncrashed: Observable): Comparison {
  const differences = (["outcome", "frame", "entities", "steps"] as const).filter((k) => crashed[k] !== uncrashed[k]);
  return { crashed, uncrashed, equal: differences.length === 0, differences };
}

/** Replays `script` without its crashes and compares the end state with `crashedDriver`'s. */
export async function compareWithUncrashed(crashedDriver: Driver, machine: Machine, app: SimApp, script: Script): Promise<Comparison> {
  const { driver } = await replay(machine, app, script, { crashes: false });
  return compareObservables(observe(crashedDriver), observe(driver));
}
