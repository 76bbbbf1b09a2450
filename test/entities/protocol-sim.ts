/**
 * A deterministic simulator of the lock protocol alone, on a model of the
 * partition core: per-partition ordered channels, batches, a group commit of
 * the whole partition state (entities, holders, dedup, outbox), an outbox sent
 * only after the commit and re-sent in full on recovery, and receivers that drop
 * duplicates by (sender, seq). A seed decides the schedule; `crash` picks a
 * batch (by the message kind it carries and its occurrence) and crashes its
 * partition before or after the commit.
 *
 * It drives the real handlers of runtime/partitions/entities/ with a small
 * holder script per orchestration, so a failing seed replays exactly.
 */
import type { EntityId } from "../../runtime/machine.ts";
import { checkSignal, isHolderIdle, onEndTransactionCommand, onLockCommand, onUnlockCommand, releaseOnEnd, tagEntityCall, type HolderLockRecord } from "../../runtime/partitions/entities/holder.ts";
import { isLockProtocolMessage, targetOf, type LockProtocolMessage } from "../../runtime/partitions/entities/lock-messages.ts";
import { entityKey } from "../../runtime/partitions/entities/lock-order.ts";
import { onLockGranted } from "../../runtime/partitions/entities/on-lock-granted.ts";
import { onLockRelease } from "../../runtime/partitions/entities/on-lock-release.ts";
import { onLockRequest } from "../../runtime/partitions/entities/on-lock-request.ts";
import { onTransactionEnd } from "../../runtime/partitions/entities/on-transaction-end.ts";
import { admitOperation, assertRecord, emptyLockRecord, isIdle, type EntityLockRecord, type EntitySchedulerHost, type StagedTransaction } from "../../runtime/partitions/entities/scheduler.ts";

export interface CallMessage {
  kind: "call";
  callId: string;
  /** Holder instance to reply to; absent for a client signal. */
  replyTo?: string;
  entity: EntityId;
  amount: number;
  requestId?: string;
  transaction?: boolean;
}
interface ReplyMessage { kind: "reply"; callId: string; to: string; value: number }
interface StartMessage { kind: "start"; instance: string }
interface TerminateMessage { kind: "terminate"; instance: string }
export type SimMessage = LockProtocolMessage | CallMessage | ReplyMessage | StartMessage | TerminateMessage;

interface SimEnvelope { from: string; to: number; seq: number; body: SimMessage }

export interface HolderPlan {
  id: string;
  lockSet: EntityId[];
  amount: number;
  tx: boolean;
  /** For a transaction: commit or abort at the end. */
  commit: boolean;
  /** How the critical section ends: scope exit, or the instance ends while holding. */
  end: "unlock" | "complete" | "fail";
  /** A client terminates the instance right after starting it. */
  terminate: boolean;
}

interface EntityRecord {
  value: number;
  applied: Record<string, number>;
  lock: EntityLockRecord<CallMessage>;
}

interface HolderRecord {
  plan: HolderPlan;
  status: "idle" | "running" | "completed" | "failed" | "terminated";
  locks: HolderLockRecord;
  outstanding: number;
  /** The lock task of this holder's section (one per plan). */
  lockTaskId: number;
}

interface PartitionState {
  inputPos: number;
  dedup: Record<string, number>;
  nextSeq: Record<string, number>;
  outbox: SimEnvelope[];
  entities: Record<string, EntityRecord>;
  holders: Record<string, HolderRecord>;
}

export interface CrashPoint {
  kind: SimMessage["kind"];
  phase: "before" | "after";
  /** Crash at the n-th batch (0-based) that carries a message of `kind`. */
  occurrence: number;
}

export interface SimOptions {
  seed: number;
  partitions: number;
  plans: HolderPlan[];
  /** Client signals (untagged calls) sent to entities at the start. */
  signals: { entity: EntityId; amount: number }[];
  crash?: CrashPoint;
  /** Random crashes: probability per batch and phase. */
  crashProbability?: number;
  /** Drop every message of this kind (to show that the checks can fail). */
  dropKind?: SimMessage["kind"];
}

export interface SimResult {
  crashes: number;
  batches: number;
  /** Batches per message kind in this run (to enumerate crash points). */
  kindCounts: Record<string, number>;
  entities: Record<string, EntityRecord>;
  holders: Record<string, HolderRecord>;
  stuckLocks: string[];
}

/** A run that does not quiesce within this many batches is a livelock: fail loudly rather than loop. */
const MAX_BATCHES = 200_000;
/** Batches take 1..3 messages: enough to put several protocol steps in one group commit. */
const MAX_BATCH_MESSAGES = 3;

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

export function runSim(options: SimOptions): SimResult {
  const random = rng(options.seed);
  const P = options.partitions;
  const partitionOfEntity = (e: EntityId) => hash(entityKey(e)) % P;
  const partitionOfInstance = (id: string) => hash(`i:${id}`) % P;
  const channels: SimEnvelope[][] = Array.from({ length: P }, () => []);
  const committed: PartitionState[] = Array.from({ length: P }, () => ({
    inputPos: 0, dedup: {}, nextSeq: {}, outbox: [], entities: {}, holders: {},
  }));
  const kindCounts: Record<string, number> = {};
  let crashes = 0;
  let batches = 0;

  // The client: one sender, its own sequence per partition.
  const clientSeq: Record<number, number> = {};
  const clientSend = (to: number, body: SimMessage) => {
    clientSeq[to] = (clientSeq[to] ?? 0) + 1;
    channels[to].push({ from: "client", to, seq: clientSeq[to], body });
  };
  for (const plan of options.plans) {
    const p = partitionOfInstance(plan.id);
    committed[p].holders[plan.id] = { plan, status: "idle", locks: {}, outstanding: 0, lockTaskId: 1 };
    clientSend(p, { kind: "start", instance: plan.id });
    if (plan.terminate) clientSend(p, { kind: "terminate", instance: plan.id });
  }
  options.signals.forEach((s, i) => {
    clientSend(partitionOfEntity(s.entity), { kind: "call", callId: `signal-${i}`, entity: s.entity, amount: s.amount });
  });

  const sendAll = (p: number, envelopes: SimEnvelope[]) => {
    for (const e of envelopes) channels[e.to].push(structuredClone(e));
  };
  /** Recovery re-sends the outbox entries the receiver has not yet committed (the confirmed rest is trimmed). */
  const resend = (p: number) => {
    committed[p].outbox = committed[p].outbox.filter((e) => e.seq > (committed[e.to].dedup[e.from] ?? 0));
    sendAll(p, committed[p].outbox);
  };

  for (;;) {
    const ready = committed.map((s, p) => (s.inputPos < channels[p].length ? p : -1)).filter((p) => p >= 0);
    if (ready.length === 0) break;
    if (++batches > MAX_BATCHES) throw new Error(`simulation did not quiesce within ${MAX_BATCHES} batches (seed ${options.seed})`);
    const p = ready[Math.floor(random() * ready.length)];
    const take = 1 + Math.floor(random() * MAX_BATCH_MESSAGES);
    const work = structuredClone(committed[p]);
    const input = channels[p].slice(work.inputPos, work.inputPos + take);
    work.inputPos += input.length;
    const produced: SimEnvelope[] = [];
    const emit = (body: SimMessage) => {
      if (body.kind === options.dropKind) return;
      const to = routeOf(body);
      const key = `p${to}`;
      work.nextSeq[key] = (work.nextSeq[key] ?? 0) + 1;
      const envelope = { from: `p${p}`, to, seq: work.nextSeq[key], body };
      produced.push(envelope);
      work.outbox.push(envelope);
    };
    const routeOf = (body: SimMessage): number => {
      if (isLockProtocolMessage(body)) {
        const t = targetOf(body);
        return "entity" in t ? partitionOfEntity(t.entity) : partitionOfInstance(t.instance);
      }
      if (body.kind === "call") return partitionOfEntity(body.entity);
      if (body.kind === "reply") return partitionOfInstance(body.to);
      return partitionOfInstance(body.instance);
    };

    const kinds = new Set<string>();
    for (const envelope of input) {
      const last = work.dedup[envelope.from] ?? 0;
      if (envelope.seq <= last) continue; // duplicate (a re-send after recovery)
      if (envelope.seq !== last + 1) throw new Error(`gap from ${envelope.from}: ${envelope.seq} after ${last}`);
      work.dedup[envelope.from] = envelope.seq;
      kinds.add(envelope.body.kind);
      apply(work, envelope.body, emit);
    }
    for (const k of kinds) kindCounts[k] = (kindCounts[k] ?? 0) + 1;

    const crashHere = (phase: "before" | "after") => {
      if (options.crash && options.crash.phase === phase && kinds.has(options.crash.kind) &&
          kindCounts[options.crash.kind] - 1 === options.crash.occurrence) return true;
      return options.crashProbability !== undefined && random() < options.crashProbability;
    };
    if (crashHere("before")) {
      crashes++;
      // Lost: the working state and its unsent messages. Recovery re-sends the committed outbox.
      resend(p);
      continue;
    }
    committed[p] = work;
    if (crashHere("after")) {
      crashes++;
      resend(p);
      continue;
    }
    sendAll(p, produced);
  }

  const entities: Record<string, EntityRecord> = {};
  const holders: Record<string, HolderRecord> = {};
  for (const s of committed) {
    Object.assign(entities, s.entities);
    Object.assign(holders, s.holders);
  }
  const stuckLocks = Object.entries(entities).filter(([, e]) => !isIdle(e.lock)).map(([k]) => k);
  for (const [id, h] of Object.entries(holders)) if (!isHolderIdle(h.locks)) stuckLocks.push(`holder ${id}`);
  return { crashes, batches, kindCounts, entities, holders, stuckLocks };
}

function apply(state: PartitionState, body: SimMessage, emit: (m: SimMessage) => void): void {
  switch (body.kind) {
    case "start":
    case "terminate":
    case "reply":
    case "lockGranted":
      return applyToHolder(state, body, emit);
    case "call":
    case "lockRequest":
    case "lockRelease":
    case "transactionEnd":
      return applyToEntity(state, body, emit);
  }
}

function entityRecord(state: PartitionState, e: EntityId): EntityRecord {
  const key = entityKey(e);
  return (state.entities[key] ??= { value: 0, applied: {}, lock: emptyLockRecord() });
}

function applyToEntity(state: PartitionState, body: CallMessage | LockProtocolMessage, emit: (m: SimMessage) => void): void {
  const entity = body.kind === "call" ? body.entity : targetOf(body as LockProtocolMessage);
  const id = "entity" in entity ? (entity as { entity: EntityId }).entity : (entity as EntityId);
  const record = entityRecord(state, id);
  const run = (call: CallMessage) => {
    if (call.transaction) {
      const staged: StagedTransaction = (record.lock.staged ??= {
        requestId: call.requestId!, exists: true, state: { value: record.value, applied: { ...record.applied } }, effects: [],
      });
      const s = staged.state as { value: number; applied: Record<string, number> };
      if (s.applied[call.callId]) throw new Error(`call ${call.callId} applied twice (staged)`);
      s.applied[call.callId] = call.amount;
      s.value += call.amount;
      emit({ kind: "reply", callId: call.callId, to: call.replyTo!, value: s.value });
      return;
    }
    if (record.applied[call.callId]) throw new Error(`call ${call.callId} applied twice`);
    record.applied[call.callId] = call.amount;
    record.value += call.amount;
    if (call.replyTo) emit({ kind: "reply", callId: call.callId, to: call.replyTo, value: record.value });
  };
  const host: EntitySchedulerHost<CallMessage> = {
    entity: id,
    send: (m) => emit(m),
    runOperation: run,
    applyStaged: (staged) => {
      const s = staged.state as { value: number; applied: Record<string, number> };
      record.value = s.value;
      record.applied = s.applied;
    },
  };
  switch (body.kind) {
    case "call":
      if (admitOperation(record.lock, body, body.requestId) === "run") run(body);
      break;
    case "lockRequest":
      onLockRequest(record.lock, body, host);
      break;
    case "lockRelease":
      onLockRelease(record.lock, body, host);
      break;
    case "transactionEnd":
      onTransactionEnd(record.lock, body, host);
      break;
    default:
      throw new Error(`not an entity message: ${body.kind}`);
  }
  assertRecord(record.lock);
}

function applyToHolder(state: PartitionState, body: SimMessage, emit: (m: SimMessage) => void): void {
  const instance = body.kind === "reply" ? body.to : body.kind === "lockGranted" ? body.holder : (body as StartMessage).instance;
  const h = state.holders[instance];
  if (!h) throw new Error(`unknown holder ${instance}`);
  const plan = h.plan;
  const end = (status: HolderRecord["status"]) => {
    for (const m of releaseOnEnd(h.locks)) emit(m);
    h.status = status;
  };
  switch (body.kind) {
    case "start":
      if (h.status !== "idle") return;
      h.status = "running";
      for (const m of onLockCommand(h.locks, { kind: "lock", taskId: h.lockTaskId, entities: plan.lockSet }, instance, 0)) emit(m);
      return;
    case "terminate":
      if (h.status === "running" || h.status === "idle") end("terminated");
      return;
    case "lockGranted": {
      const outcome = onLockGranted(h.locks, body, h.status === "running");
      if (outcome.kind === "giveBack") {
        for (const m of outcome.releases) emit(m);
        return;
      }
      for (const e of plan.lockSet) {
        // A signal to a held entity breaks the rules: checked, never sent.
        let refused = false;
        try { checkSignal(h.locks, { kind: "signalEntity", entity: e, op: "add", input: 1 }); } catch { refused = true; }
        if (!refused) throw new Error("a signal to a held entity was not refused");
        const command = { kind: "callEntity" as const, taskId: 100, entity: e, op: "add", input: plan.amount, transactionId: plan.tx ? h.lockTaskId : undefined };
        const tag = tagEntityCall(h.locks, command);
        emit({ kind: "call", callId: `${instance}:${entityKey(e)}`, replyTo: instance, entity: e, amount: plan.amount, requestId: tag.requestId, transaction: tag.transaction });
        h.outstanding++;
      }
      return;
    }
    case "reply": {
      if (h.status !== "running") return; // a reply to an instance that ended: dropped
      if (--h.outstanding > 0) return;
      if (plan.tx) {
        for (const m of onEndTransactionCommand(h.locks, { kind: "endTransaction", lockTaskId: h.lockTaskId, entities: plan.lockSet, commit: plan.commit })) emit(m);
      }
      if (plan.end === "unlock") {
        for (const m of onUnlockCommand(h.locks, { kind: "unlock", lockTaskId: h.lockTaskId, entities: plan.lockSet })) emit(m);
        h.status = "completed";
      } else {
        end(plan.end === "complete" ? "completed" : "failed");
      }
      return;
    }
  }
}
