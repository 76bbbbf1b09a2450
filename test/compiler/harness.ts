/**
 * Differential testing of compiled orchestrations: the same orchestration run
 * (a) as plain async code against a reference ctx, and (b) as the compiled
 * machine with its frame serialized (`JSON.stringify(encodeFrame(frame))`) and
 * restored between every step. Completions are delivered one at a time, the
 * k-th pending one chosen by the same seeded sequence on both sides; the
 * traces (every effect: activity calls with inputs, timers, events, entity
 * calls, locks, statuses) and the outcome (result, or error name + message)
 * must be equal.
 */
import { decode, encode, encodeFrame, encodeFrameText, errorInfo } from "../../runtime/codec.ts";
import type { Command, Machine, Wake } from "../../runtime/machine.ts";
import { nextRandom, seedFrom, uuidFrom } from "../../runtime/engine/prng.ts";

export interface RunResult {
  trace: string[];
  outcome: { ok: true; value: string } | { ok: false; name: string; message: string };
  steps: number;
  maxFrameBytes: number;
}

/** Bound on deliveries per run: the test programs finish far below it; above it a program is looping. */
const MAX_DELIVERIES = 2000;
const NOW = 1_000_000;
const INSTANCE = "inst-1";

type Activities = Map<string, (input: unknown) => unknown>;

function chooser(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
}

function show(v: unknown): string {
  return JSON.stringify(encode(v));
}

async function resultOf(acts: Activities, kind: string, name: string, input: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  if (kind === "call") {
    const fn = acts.get(name);
    if (!fn) return { ok: false, error: new Error(`no activity ${name}`) };
    try {
      return { ok: true, value: await fn(input) };
    } catch (e) {
      return { ok: false, error: e };
    }
  }
  if (kind === "event") return { ok: true, value: `ev:${name}` };
  if (kind === "entity") return { ok: true, value: `${name}:${show(input)}` };
  if (kind === "sub") return { ok: true, value: `sub:${name}:${show(input)}` };
  return { ok: true, value: undefined };
}

interface Pending { kind: string; name: string; input: unknown; settle: (r: { ok: true; value: unknown } | { ok: false; error: unknown }) => void }

/** Runs `fn(ctx, input)` as ordinary async code. */
export async function runReference(fn: (ctx: any, input: unknown) => Promise<unknown>, input: unknown, acts: Activities, seed: number): Promise<RunResult> {
  const trace: string[] = [];
  const pending: Pending[] = [];
  const rng = seedFrom(INSTANCE);
  const wait = (kind: string, name: string, inp: unknown, label: string, map?: (v: unknown) => unknown) => {
    trace.push(label);
    return new Promise((resolve, reject) => {
      pending.push({ kind, name, input: inp, settle: (r) => (r.ok ? resolve(map ? map(r.value) : r.value) : reject(r.error)) });
    });
  };
  const entityProxy = (ent: any, key: string, tx?: boolean) => new Proxy({}, {
    get: (_t, op: string) => (inp?: unknown) => wait("entity", `${ent.name}/${key}.${op}`, inp, `${tx ? "tx" : "entity"}:${ent.name}/${key}.${op}(${show(inp)})`),
  });
  const ctx: any = {
    instanceId: INSTANCE,
    call: (a: any, inp: unknown) => wait("call", a.name, inp, `call:${a.name}(${show(inp)})`),
    callSub: (o: any, inp: unknown) => wait("sub", o.name, inp, `sub:${o.name}(${show(inp)})`),
    sleep: (ms: number) => wait("timer", "", ms, `timer:${NOW + ms}`),
    sleepUntil: (t: number) => wait("timer", "", t, `timer:${t}`),
    waitForEvent: (name: string) => wait("event", name, undefined, `event:${name}`),
    now: () => NOW,
    random: () => nextRandom(rng),
    uuid: () => uuidFrom(() => nextRandom(rng)),
    setStatus: (v: unknown) => trace.push(`status:${show(v)}`),
    continueAsNew: (inp: unknown) => ({ __continueAsNew: inp }),
    entity: (e: any, key: string) => entityProxy(e, key),
    signal: (e: any, key: string) => new Proxy({}, { get: (_t, op: string) => (inp?: unknown) => { trace.push(`signal:${e.name}/${key}.${op}(${show(inp)})`); } }),
    lock: (...ids: any[]) => wait("lock", "", ids, `lock:${show(ids)}`, () => ({
      entities: ids,
      [(Symbol as any).asyncDispose]: async () => { trace.push(`unlock:${show(ids)}`); },
    })),
  };
  ctx.saga = () => {
    const comps: [any, unknown][] = [];
    return {
      step: async (a: any, inp: unknown, c?: any, ci?: unknown) => {
        const v = await ctx.call(a, inp);
        if (c) comps.push([c, ci === undefined ? inp : ci]);
        return v;
      },
      compensate: async () => {
        const report = { compensated: [] as string[], failed: [] as unknown[] };
        while (comps.length) {
          const [c, i] = comps.pop()!;
          try {
            await ctx.call(c, i);
            report.compensated.push(c.name);
          } catch (e: any) {
            report.failed.push({ step: c.name, error: { name: e.name, message: e.message } });
          }
        }
        return report;
      },
    };
  };
  ctx.transaction = async (ids: any[], body: (tx: any) => Promise<unknown>) => {
    await wait("lock", "", ids, `lock:${show(ids)}`);
    const tx = { entity: (e: any, key: string) => entityProxy(e, key, true) };
    try {
      const v = await body(tx);
      trace.push("endTransaction:true", `unlock:${show(ids)}`);
      return v;
    } catch (e) {
      trace.push("endTransaction:false", `unlock:${show(ids)}`);
      throw e;
    }
  };
  let done: RunResult["outcome"] | undefined;
  const settle = () => new Promise((r) => setImmediate(r));
  fn(ctx, input).then(
    (v: any) => (done = { ok: true, value: v && typeof v === "object" && "__continueAsNew" in v ? `continueAsNew:${show(v.__continueAsNew)}` : show(v) }),
    (e) => (done = { ok: false, ...nameMessage(e) }),
  );
  await settle();
  const choose = chooser(seed);
  let steps = 0;
  while (!done) {
    if (pending.length === 0) throw new Error("reference run is stuck: nothing pending and not finished");
    if (++steps > MAX_DELIVERIES) throw new Error("reference run exceeded the delivery bound");
    const p = pending.splice(choose(pending.length), 1)[0]!;
    p.settle(await resultOf(acts, p.kind, p.name, p.input));
    await settle();
    await settle();
  }
  return { trace, outcome: done, steps, maxFrameBytes: 0 };
}

function nameMessage(e: unknown): { name: string; message: string } {
  const i = errorInfo(e);
  return { name: i.name, message: i.message };
}

function label(c: Command): string | undefined {
  switch (c.kind) {
    case "activity": return `call:${c.name}(${show(c.input)})`;
    case "subOrchestration": return `sub:${c.name}(${show(c.input)})`;
    case "timer": return `timer:${c.fireAtMs}`;
    case "waitEvent": return `event:${c.name}`;
    case "callEntity": return `${c.transactionId !== undefined ? "tx" : "entity"}:${c.entity.name}/${c.entity.key}.${c.op}(${show(c.input)})`;
    case "signalEntity": return `signal:${c.entity.name}/${c.entity.key}.${c.op}(${show(c.input)})`;
    case "lock": return `lock:${show(c.entities)}`;
    case "unlock": return `unlock:${show(c.entities)}`;
    case "endTransaction": return `endTransaction:${c.commit}`;
    case "setStatus": return `status:${show(c.value)}`;
  }
}

/**
 * Runs the compiled machine, round-tripping the frame through the codec and JSON between every step.
 * `between` may replace the machine and frame before each step (the upgrade tests move the frame to another build).
 */
export async function runCompiled(machine: Machine, input: unknown, acts: Activities, seed: number,
  between?: (machine: Machine, frame: unknown) => { machine: Machine; frame: unknown }): Promise<RunResult> {
  const env = { instanceId: INSTANCE, nowMs: NOW };
  const trace: string[] = [];
  const pending: { cmd: Command & { taskId: number }; kind: string; name: string; input: unknown }[] = [];
  let maxFrameBytes = 0;
  const roundTrip = (frame: unknown) => {
    // The text the runtime stores (written directly when it can), checked against the encoded tree's.
    const text = encodeFrameText(frame).text;
    const tree = JSON.stringify(encodeFrame(frame));
    if (text !== tree) throw new Error(`the frame's text differs from its encoded tree's:\n${text}\n${tree}`);
    maxFrameBytes = Math.max(maxFrameBytes, text.length);
    return decode(JSON.parse(text));
  };
  const absorb = (cmds: Command[]) => {
    for (const c of cmds) {
      trace.push(label(c)!);
      const k = c.kind;
      if (k === "activity") pending.push({ cmd: c, kind: "call", name: c.name, input: c.input });
      else if (k === "subOrchestration") pending.push({ cmd: c, kind: "sub", name: c.name, input: c.input });
      else if (k === "timer") pending.push({ cmd: c, kind: "timer", name: "", input: undefined });
      else if (k === "waitEvent") pending.push({ cmd: c, kind: "event", name: c.name, input: undefined });
      else if (k === "callEntity") pending.push({ cmd: c, kind: "entity", name: `${c.entity.name}/${c.entity.key}.${c.op}`, input: c.input });
      else if (k === "lock") pending.push({ cmd: c, kind: "lock", name: "", input: undefined });
    }
  };
  let frame = roundTrip(machine.init(roundTrip(input), env));
  let r = machine.step(frame, [], env);
  absorb(r.commands);
  const choose = chooser(seed);
  let steps = 0;
  while (r.outcome.kind === "running") {
    if (pending.length === 0) throw new Error("compiled run is stuck: nothing pending and not finished");
    if (++steps > MAX_DELIVERIES) throw new Error("compiled run exceeded the delivery bound");
    const p = pending.splice(choose(pending.length), 1)[0]!;
    const res = await resultOf(acts, p.kind, p.name, p.input);
    const wake: Wake = { taskId: p.cmd.taskId, result: res.ok ? { ok: true, value: decode(encode(res.value)) } : { ok: false, error: errorInfo(res.error) } };
    frame = roundTrip(r.frame);
    if (between) ({ machine, frame } = between(machine, frame));
    r = machine.step(frame, [wake], env);
    absorb(r.commands);
  }
  roundTrip(r.frame);
  const o = r.outcome;
  const outcome: RunResult["outcome"] =
    o.kind === "completed" ? { ok: true, value: show(o.output) }
    : o.kind === "continuedAsNew" ? { ok: true, value: `continueAsNew:${show(o.input)}` }
    : { ok: false, name: o.kind === "failed" ? o.error.name : "?", message: o.kind === "failed" ? o.error.message : "?" };
  return { trace, outcome, steps, maxFrameBytes };
}

export function activitiesOf(mod: Record<string, unknown>): Activities {
  const acts: Activities = new Map();
  for (const v of Object.values(mod)) {
    const a = v as any;
    if (a && a.kind === "activity") acts.set(a.name, (x: unknown) => a.fn(x, { instanceId: INSTANCE, attempt: 1 }));
  }
  return acts;
}
