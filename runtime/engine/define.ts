/**
 * `defineMachine`: wraps a compiled orchestration (the key of its root step
 * function) into the `Machine` of runtime/machine.ts.
 *
 * init creates the frame without running anything (init returns no commands);
 * the first step starts the orchestration body. step applies wakes one at a
 * time, draining the job queue after each (each wake is a macrotask, as in
 * JavaScript), and stops as soon as the orchestration returned or threw.
 *
 * Invariant: step is a pure function of (frame, wakes, env): it copies
 * nothing from outside, reads no clock, and mutates only the frame it was
 * given (a freshly decoded one, or the one its previous step returned: see
 * `reusesFrames` in runtime/machine.ts).
 */
import { errorFromInfo } from "../codec.ts";
import type { Frame, Machine, MachineGraph, StepEnv, StepResult, UpgradeManifest, Wake } from "../machine.ts";
import { CriticalSectionImpl, theContext } from "./context.ts";
import { assertFrame, type FrameData } from "./frame.ts";
import "./frame-records.ts";
import "./host-values.ts";
import { prefixed } from "./budget.ts";
import { StepRun } from "./run.ts";
import "./rt.ts";

export interface MachineDefinition {
  name: string;
  /** Key of the root step function (registry.ts). */
  root: string;
  version: string;
  graph?: MachineGraph;
  /** URL of the module that defines the machine (emitted as import.meta.url): where its stored code is made from. */
  source?: string;
  /** Await points and live locals, for upgrades (compiler/versioning/). */
  upgrade?: UpgradeManifest;
}

const EMPTY_GRAPH: MachineGraph = { states: [{ id: "start", label: "start" }, { id: "end", label: "end" }], transitions: [{ from: "start", to: "end" }] };

export function defineMachine(def: MachineDefinition): Machine {
  if (!def || typeof def.root !== "string" || typeof def.name !== "string" || typeof def.version !== "string") {
    throw new TypeError("defineMachine({ name, root, version, graph }): name, root and version are strings");
  }
  const graph = def.graph ?? EMPTY_GRAPH;
  /** Branch function -> await label -> the state id position() gives for it, made as positions are asked for. */
  const stateIdsOf = new Map<string, string[]>();
  /** The graph's state ids, made on the first position() call. */
  let graphIds: Set<string> | undefined;
  function stateId(fn: string, label: number): string {
    let byLabel = stateIdsOf.get(fn);
    if (!byLabel) stateIdsOf.set(fn, (byLabel = []));
    let id = byLabel[label];
    if (id === undefined) {
      graphIds ??= new Set(graph.states.map((s) => s.id));
      id = `${fn.slice(fn.indexOf("#") + 1)}:${label}`;
      if (!graphIds.has(id)) id = `${fn}:${label}`;
      byLabel[label] = id;
    }
    return id;
  }
  return Object.freeze({
    name: def.name,
    version: def.version,
    graph,
    ...(typeof def.source === "string" ? { source: def.source } : {}),
    ...(def.upgrade ? { upgrade: def.upgrade } : {}),
    // The engine builds every record of its frames and keeps none of them between steps.
    reusesFrames: true,
    init(input: unknown, env: StepEnv): Frame {
      // `input` last: the first step deletes it, and deleting the last property added keeps the frame a fast object.
      const frame: FrameData = { nwc: 1, root: -1, started: false, next: 1, nextScope: 1, tasks: {}, branches: {}, scopes: {}, input };
      return frame;
    },
    step(frame: Frame, wakes: readonly Wake[], env: StepEnv): StepResult {
      assertFrame(frame);
      const f = frame;
      if (f.outcome) return { frame: f, commands: [], outcome: f.outcome };
      const run = new StepRun(f, env, theContext);
      run.within(() => {
        if (!f.started) {
          const input = f.input;
          delete f.input;
          run.startRoot(def.root, [theContext, input]);
          run.drain();
        }
        for (const wake of wakes) {
          if (run.ended) break;
          const t = f.tasks[wake.taskId];
          if (!t || t.s !== 0) continue; // unknown or already settled: a duplicate delivery
          if (wake.result.ok) {
            run.settle(wake.taskId, true, t.lock ? new CriticalSectionImpl(wake.taskId, t.lock) : wake.result.value);
          } else {
            run.settle(wake.taskId, false, errorFromInfo(wake.result.error));
          }
          run.drain();
        }
        if (!run.ended && !run.budget.exceeded) run.collect();
      });
      // Whatever the code did with the throw (caught it, ended anyway), a step past its budget fails.
      if (run.budget.exceeded) throw prefixed(run.budget.exceeded, `orchestration "${def.name}"`);
      if (f.outcome) {
        // The orchestration ended: nothing else in the frame can run again.
        f.tasks = {}; f.branches = {}; f.scopes = {};
        delete f.sagas;
      }
      return { frame: f, commands: run.commands, outcome: f.outcome ?? { kind: "running" } };
    },
    position(frame: Frame): string[] {
      assertFrame(frame);
      if (frame.outcome) return ["end"];
      if (!frame.started) return ["start"];
      // Ids are made once per (function, label): the history asks for the position after every step.
      const out: string[] = [];
      for (const b of Object.values(frame.branches)) out.push(stateId(b.fn, b.g.label));
      return out;
    },
  } satisfies Machine);
}
