/**
 * The known-effect list: which library and built-in members an orchestration
 * may not touch, by category. Targets come from resolve.ts (a module without
 * `node:` plus a member path, or a global path such as "DateConstructor.now").
 * Categories map one-to-one onto rules.
 *
 * Invariant: a member not listed here is treated as pure; the list errs on the
 * side of whole modules for I/O (every member of `fs` is file system access).
 */
import type { Target } from "./resolve.ts";

export type EffectCategory = "date-now" | "math-random" | "crypto-random" | "clock" | "timer" | "network" | "fs" | "child-process" | "env" | "weakref" | "eval";

/** Modules whose every member is the effect (node built-ins and well-known packages). */
const MODULE_EFFECTS: Record<string, EffectCategory> = {
  fs: "fs", "fs/promises": "fs", "fs-extra": "fs", "graceful-fs": "fs",
  http: "network", https: "network", http2: "network", net: "network", dgram: "network", dns: "network",
  "dns/promises": "network", tls: "network", undici: "network", axios: "network", "node-fetch": "network",
  got: "network", ws: "network", superagent: "network",
  child_process: "child-process", worker_threads: "child-process", cluster: "child-process", execa: "child-process",
  timers: "timer", "timers/promises": "timer",
};

/** Members of otherwise pure modules. */
const MODULE_MEMBER_EFFECTS: Record<string, Record<string, EffectCategory>> = {
  crypto: {
    randomBytes: "crypto-random", randomUUID: "crypto-random", randomInt: "crypto-random", randomFill: "crypto-random",
    randomFillSync: "crypto-random", getRandomValues: "crypto-random", generateKey: "crypto-random",
    generateKeySync: "crypto-random", generateKeyPair: "crypto-random", generateKeyPairSync: "crypto-random",
    generatePrime: "crypto-random", generatePrimeSync: "crypto-random", pseudoRandomBytes: "crypto-random",
  },
  uuid: { v1: "crypto-random", v4: "crypto-random", v6: "crypto-random", v7: "crypto-random" },
  nanoid: { nanoid: "crypto-random", customAlphabet: "crypto-random" },
  process: { env: "env", hrtime: "clock", uptime: "clock", nextTick: "timer" },
  perf_hooks: { "performance.now": "clock" },
};

/** Global members, by the checker's fully qualified name (suffix after `global.`). */
const GLOBAL_EFFECTS: Record<string, EffectCategory> = {
  "DateConstructor.now": "date-now",
  "Math.random": "math-random",
  "Crypto.getRandomValues": "crypto-random", "Crypto.randomUUID": "crypto-random",
  "SubtleCrypto.generateKey": "crypto-random",
  "Performance.now": "clock", "NodeJS.Process.hrtime": "clock", "NodeJS.HRTime.bigint": "clock", "NodeJS.Process.uptime": "clock",
  setTimeout: "timer", setInterval: "timer", setImmediate: "timer", queueMicrotask: "timer",
  requestAnimationFrame: "timer", requestIdleCallback: "timer", "NodeJS.Process.nextTick": "timer",
  fetch: "network", XMLHttpRequest: "network", WebSocket: "network", EventSource: "network", "Navigator.sendBeacon": "network",
  "NodeJS.Process.env": "env",
  WeakRef: "weakref", FinalizationRegistry: "weakref", "WeakRef.deref": "weakref",
  eval: "eval", Function: "eval", FunctionConstructor: "eval",
};

export function effectOf(target: Target): EffectCategory | undefined {
  if (target.module !== undefined) {
    const whole = MODULE_EFFECTS[target.module];
    if (whole && target.path !== "") return whole;
    const member = MODULE_MEMBER_EFFECTS[target.module]?.[target.path];
    if (member) return member;
    // A module's object typed by a global interface (`perf_hooks`' `performance` is a
    // `Performance`, `crypto.webcrypto` a `Crypto`): its members are that interface's.
    return interfaceMemberEffect(target.path);
  }
  return GLOBAL_EFFECTS[target.path] ?? interfaceMemberEffect(target.path);
}

/** Members of interfaces ("Performance.now"), however lib.dom and @types/node nest them ("webcrypto.Crypto.randomUUID"). */
function interfaceMemberEffect(path: string): EffectCategory | undefined {
  for (const [name, category] of Object.entries(GLOBAL_EFFECTS)) {
    if (name.includes(".") && (path === name || path.endsWith(`.${name}`))) return category;
  }
  return undefined;
}
