/**
 * Runs one activation of a compiled step function: the generator protocol of
 * TypeScript's ES5 generator lowering (tslib's `__generator`), with the state
 * kept as plain data so it can live in a frame.
 *
 * A step function is `(state, scopes, rt) => Op`; it switches on `state.label`
 * and returns an instruction:
 *   [0, v] next / [1, e] throw (only as resume input), [2, v] return,
 *   [3, label] break (jump), [4, v] yield (here: await; v = [line, awaited]),
 *   [5, d] delegate (yield*) to a per-iteration loop body, [6, e] catch (internal),
 *   [7] end of a finally block.
 * `state.trys` holds [tryLabel, catchLabel, finallyLabel, endLabel] regions and
 * `state.ops` the instructions a finally block must resume after it ends; a
 * GenState has them only while they are not empty (an activation outside any
 * try block, most of them, carries its label alone: two arrays less in every
 * frame and every encode).
 *
 * Invariant: `GenState` is plain data (numbers, arrays, the values being
 * returned or thrown through a finally); driving a state through `resume` gives
 * exactly tslib's `__generator` semantics, which is the semantics of the
 * original async function.
 */

export type Op = [number, unknown?];

export interface GenState {
  label: number;
  trys?: number[][];
  ops?: Op[];
}

export interface StateView {
  label: number;
  trys: number[][];
  ops: Op[];
  sent(): unknown;
}

export type StepBody = (state: StateView, scopes: Record<string, unknown>[], rt: unknown) => Op;

export type ResumeResult = { done: false; value: unknown; delegate?: true } | { done: true; value: unknown };

export function newGenState(): GenState {
  return { label: 0 };
}

/**
 * What a step function sees of its state (`_c`): a class, so a resume allocates one object, not an
 * object and a closure; its regions and pending ops are made in the GenState on first use.
 */
class View implements StateView {
  label: number;
  /** The value (or error) the last await resumed with. */
  sentOp: Op;

  constructor(private readonly gs: GenState, input: Op) {
    this.label = gs.label;
    this.sentOp = input;
  }

  get trys(): number[][] {
    return (this.gs.trys ??= []);
  }

  get ops(): Op[] {
    return (this.gs.ops ??= []);
  }

  sent(): unknown {
    if (this.sentOp[0] & 1) throw this.sentOp[1];
    return this.sentOp[1];
  }
}

/** Resume `gs` with `input` ([0, value] or [1, error]); runs until the next await, return or throw (thrown). */
export function resume(body: StepBody, gs: GenState, scopes: Record<string, unknown>[], rt: unknown, input: Op): ResumeResult {
  const view = new View(gs, input);
  let op: Op = input;
  try {
    for (;;) {
      try {
        switch (op[0]) {
          case 0:
          case 1:
            view.sentOp = op;
            break;
          case 4:
            view.label++;
            return { done: false, value: op[1] };
          case 7:
            op = view.ops.pop()!;
            view.trys.pop();
            continue;
          case 5:
            // yield*: only of a per-iteration loop body (`_loop_N`); the caller runs it as a delegated activation.
            view.label++;
            return { done: false, value: op[1], delegate: true };
          default: {
            const trys = gs.trys;
            const t = trys !== undefined && trys.length > 0 ? trys[trys.length - 1] : undefined;
            if (!t && (op[0] === 6 || op[0] === 2)) {
              if (op[0] === 6) throw new Thrown(op[1]);
              return { done: true, value: op[1] };
            }
            if (op[0] === 3 && (!t || ((op[1] as number) > t[0] && (op[1] as number) < t[3]))) {
              view.label = op[1] as number;
              break;
            }
            if (op[0] === 6 && view.label < t![1]) {
              view.label = t![1];
              view.sentOp = op;
              break;
            }
            if (t && view.label < t[2]) {
              view.label = t[2];
              view.ops.push(op);
              break;
            }
            if (t![2]) view.ops.pop();
            view.trys.pop();
            continue;
          }
        }
        op = body(view, scopes, rt);
      } catch (e) {
        if (e instanceof Thrown) throw e;
        op = [6, e];
      }
    }
  } finally {
    gs.label = view.label;
    if (gs.trys !== undefined) {
      if (gs.trys.length > 0) fillRegionHoles(gs.trys);
      else delete gs.trys;
    }
    if (gs.ops !== undefined && gs.ops.length === 0) delete gs.ops;
  }
}

/**
 * Compiled code pushes regions with holes for absent labels (`[1, , 3, 4]`);
 * the codec refuses holes (they are not data), so they become null, which every
 * test above reads as a hole (`label < null` and `null` are false, as for undefined).
 */
function fillRegionHoles(trys: number[][]): void {
  for (const t of trys) for (let i = 0; i < 4; i++) if (!(i in t)) (t as (number | null)[])[i] = null;
}

/** Carries a value thrown out of the activation past the driver's own catch. */
export class Thrown {
  constructor(readonly value: unknown) {}
}
