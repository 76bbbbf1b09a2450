/**
 * Built-in step functions, written by hand in the compiled-code protocol
 * (generator.ts): the transaction driver and the saga's step and compensation
 * loops. They run as ordinary branches, so a crash in the middle resumes at the
 * right place like any compiled code.
 *
 * Invariant: their locals are plain data (activity names and retry policies,
 * never activity objects or functions).
 */
import type { EntityId } from "../machine.ts";
import type { Op, StateView } from "./generator.ts";
import { registerBuiltin } from "./registry.ts";
import { currentRun } from "./run.ts";
import { dropEntry, tableOf, type SagaComp } from "./frame.ts";
import { TaskRef, TxContextRef } from "./values.ts";
import type { ClosureTag } from "./rt.ts";

type Scope = Record<string, any>;

/** Fresh copies of entity ids, for a frame's lock records (never shared with another place of the frame). */
export const copyIds = (ids: readonly EntityId[]): EntityId[] => ids.map((e) => ({ name: e.name, key: e.key }));

/** ctx.transaction(entities, body): lock, run body(tx), end the transaction (commit or abort), unlock. */
registerBuiltin("nwc:transaction", {
  name: "transaction",
  params: ["entities", "body"],
  body(st: StateView, S: Scope[]): Op {
    const L = S[S.length - 1]!;
    const run = currentRun("ctx.transaction");
    const ents = L.entities as EntityId[];
    switch (st.label) {
      case 0:
        // Copies, not `ents` itself: each record of the frame owns its lock set, so no change to
        // one can reach the other (and the encoded frame needs no reference between them).
        L.lock = run.issue((taskId) => ({ kind: "lock", taskId, entities: ents }), copyIds(ents)).id;
        tableOf(run.f, "locks")[L.lock] = copyIds(ents);
        return [4, [0, new TaskRef(L.lock)]];
      case 1: {
        st.sent();
        const tag = L.body as ClosureTag;
        return [4, [0, run.startBranch(tag.key, tag.chain, [new TxContextRef(L.lock, ents)])]];
      }
      case 2: {
        const end = (commit: boolean) => {
          run.commands.push({ kind: "endTransaction", lockTaskId: L.lock, entities: ents, commit });
          if (run.f.locks?.[L.lock]) {
            dropEntry(run.f, "locks", L.lock);
            run.commands.push({ kind: "unlock", lockTaskId: L.lock, entities: ents });
          }
        };
        let value: unknown;
        try {
          value = st.sent();
        } catch (e) {
          end(false);
          throw e;
        }
        end(true);
        return [2, value];
      }
    }
    throw new Error(`nwc engine: transaction driver at unknown label ${st.label}`);
  },
});

/** saga.step(action, input, compensation, compensationInput): run the action, then remember the compensation. */
registerBuiltin("nwc:sagaStep", {
  name: "saga.step",
  params: ["saga", "task", "comp"],
  body(st: StateView, S: Scope[]): Op {
    const L = S[S.length - 1]!;
    const run = currentRun("saga.step");
    switch (st.label) {
      case 0:
        return [4, [0, new TaskRef(L.task)]];
      case 1: {
        const value = st.sent();
        if (L.comp) (tableOf(run.f, "sagas")[L.saga] ??= []).push(L.comp as SagaComp);
        return [2, value];
      }
    }
    throw new Error(`nwc engine: saga step at unknown label ${st.label}`);
  },
});

/** saga.compensate(): the remembered compensations in reverse order; a failure is reported, not fatal. */
registerBuiltin("nwc:sagaCompensate", {
  name: "saga.compensate",
  params: ["saga"],
  body(st: StateView, S: Scope[]): Op {
    const L = S[S.length - 1]!;
    const run = currentRun("saga.compensate");
    for (;;) {
      switch (st.label) {
        case 0: {
          L.report ??= { compensated: [], failed: [] };
          const comps = run.f.sagas?.[L.saga] ?? [];
          const c = comps.pop();
          if (!c) {
            dropEntry(run.f, "sagas", L.saga);
            return [2, L.report];
          }
          L.current = c.name;
          const t = run.issue((taskId) => ({ kind: "activity", taskId, name: c.name, input: c.input, ...(c.retry ? { retry: c.retry as any } : {}) }));
          return [4, [0, t]];
        }
        case 1: {
          try {
            st.sent();
            L.report.compensated.push(L.current);
          } catch (e: any) {
            L.report.failed.push({ step: L.current, error: { name: String(e?.name ?? "Error"), message: String(e?.message ?? e) } });
          }
          st.label = 0;
          continue;
        }
        default:
          throw new Error(`nwc engine: saga compensation at unknown label ${st.label}`);
      }
    }
  },
});
