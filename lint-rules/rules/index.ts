/** Every rule, in code order: the one list `checkProgram` and the ESLint plugin both run. */
import type { RuleDefinition } from "../rule.ts";
import dateNow from "./date-now.ts";
import newDate from "./new-date.ts";
import mathRandom from "./math-random.ts";
import cryptoRandom from "./crypto-random.ts";
import clock from "./clock.ts";
import timers from "./timers.ts";
import network from "./network.ts";
import fileSystem from "./file-system.ts";
import childProcess from "./child-process.ts";
import processEnv from "./process-env.ts";
import moduleState from "./module-state.ts";
import weakref from "./weakref.ts";
import evalRule from "./eval.ts";
import nonDurableAwait from "./non-durable-await.ts";
import floatingTask from "./floating-task.ts";
import continueAsNewReturned from "./continue-as-new-returned.ts";
import serializableLocals from "./serializable-locals.ts";
import nestedLock from "./nested-lock.ts";
import lockCallUnheld from "./lock-call-unheld.ts";
import lockSignalHeld from "./lock-signal-held.ts";

export const RULES: readonly RuleDefinition[] = [
  dateNow, newDate, mathRandom, cryptoRandom, clock, timers, network, fileSystem, childProcess, processEnv,
  moduleState, weakref, evalRule, nonDurableAwait, floatingTask, continueAsNewReturned, serializableLocals, nestedLock, lockCallUnheld, lockSignalHeld,
];

const codes = new Set(RULES.map((r) => r.code));
if (codes.size !== RULES.length) throw new Error("lint-rules: two rules share a code");
