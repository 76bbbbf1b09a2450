/**
 * Crash and resume, checked: a run is a script of actions (run, advance the
 * clock, raise an event, crash). `replay` performs the script on a
 * PlaygroundRuntime; at each "crash" the host crashes and a new one recovers
 * from the memory backend's store with a freshly loaded program (`reload`).
 * `compareWithUncrashed` replays the same script without the crashes on a new
 * backend and compares status, output, the persisted frame, entity states and
 * the number of steps, as codec-encoded text.
 *
 * Invariant: a crash changes nothing observable: both runs end equal.
 */
import { serialize } from "../../../runtime/codec.ts";
import type { SimSettings } from "./activity-sim.ts";
import { PlaygroundRuntime, type PlaygroundApp } from "./runtime.ts";

export type Action =
  | { kind: "run" }
  | { kind: "advance"; ms: number }
  | { kind: "raise"; name: string; data: unknown }
  | { kind: "crash" }
  /** The edited code deployed while the instance waits, pinned or upgraded (PlaygroundRuntime.deploy; run-panel.ts applies it). */
  | { kind: "deploy"; mode: "pin" | "upgrade" };

export interface Script {
  orchestration: string;
  input: unknown;
  settings: SimSettings;
  actions: Action[];
}

/** Loads the program again (what a restarted process sees); by default the same definitions. */
export type Reload = () => Promise<PlaygroundApp>;

export async function applyAction(rt: PlaygroundRuntime, a: Action, reload: Reload): Promise<void> {
  if (a.kind === "run") await rt.run();
  else if (a.kind === "advance") await rt.advance(a.ms);
  else if (a.kind === "raise") await rt.raise(a.name, a.data);
  else if (a.kind === "crash") await rt.crash(await reload());
  else throw new Error("a deploy changes the program: it has no replay (run-panel.ts applies it)");
}

export async function replay(app: PlaygroundApp, script: Script, options: { crashes: boolean; reload?: Reload }): Promise<PlaygroundRuntime> {
  const rt = await PlaygroundRuntime.start(app, script.orchestration, script.input, script.settings);
  const reload = options.reload ?? (async () => app);
  for (const a of script.actions) {
    if (a.kind === "crash" && !options.crashes) continue;
    await applyAction(rt, a, reload);
  }
  return rt;
}

export interface Observable {
  outcome: string;
  frame: string;
  entities: string;
  steps: number;
}

export function observe(rt: PlaygroundRuntime): Observable {
  const v = rt.committed;
  return {
    outcome: serialize({ status: v.status, output: v.output, error: v.error }),
    frame: serialize(v.frame),
    entities: serialize(v.entities),
    steps: rt.rootSteps,
  };
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

/** Replays `script` without its crashes on a new backend and compares its end state with `crashed`'s. */
export async function compareWithUncrashed(crashed: PlaygroundRuntime, app: PlaygroundApp, script: Script): Promise<Comparison> {
  const uncrashed = await replay(app, script, { crashes: false });
  try {
    return compareObservables(observe(crashed), observe(uncrashed));
  } finally {
    await uncrashed.dispose();
  }
}
