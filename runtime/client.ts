/**
 * The client: `connect({ backend, partitions })`, and the one a host hands
 * out. Starts, raises, terminates and signals are messages to the owning
 * partition; status, wait and list read the store's status index; readEntity
 * reads the entity's checkpointed object plus the commits after it.
 *
 * Invariants: bad input (unknown or uncompiled orchestration, unserializable
 * or oversized payload, bad ids) throws before anything is sent, so it
 * changes nothing; `start` resolves only once the instance's status is
 * visible, and is idempotent per instance id.
 */
import type { Entity, EntityOpsOf, OpInput, Orchestration } from "./api.ts";
import { createBackend, type BackendSpec } from "./backends/index.ts";
import type { Backend, InstanceStatusRecord, Json, StatusFilter } from "./backends/types.ts";
import { CodecError, decode } from "./codec.ts";
import type { ErrorInfo } from "./machine.ts";
import { NotCompiledError, type App } from "./partitions/app.ts";
import { realClock, type Clock, type TimerHandle } from "./partitions/clock.ts";
import { entityKeyOf, partitionOfEntity, partitionOfInstance } from "./partitions/hash.ts";
import { encodePayload } from "./partitions/limits.ts";
import type { CoreMessage } from "./partitions/messages.ts";
import { ENTITY_PREFIX, type EntityRecord } from "./partitions/state/entity.ts";
import { ClientSender } from "./client-sender.ts";
import { makeHandle, type InstanceHandle, type InstanceRef } from "./client-handle.ts";
import type { InstanceHistory } from "./history.ts";
import { readHistory } from "./history-reader.ts";
import { readCommittedObject } from "./inspect.ts";
import { versionReport, type VersionReport } from "./versions/report.ts";
import { requestUpgrade } from "./upgrade/request.ts";
import type { UpgradeOptions, UpgradeReportLine } from "./upgrade/report.ts";

export type RuntimeStatus = InstanceStatusRecord["status"];
export { InstanceFailedError, InstanceTerminatedError } from "./client-handle.ts";
export type { InstanceHandle, InstanceRef, RaiseFn, TypedStatus, InputOf, OutputOf, EventsOf } from "./client-handle.ts";

export interface InstanceStatus<O = unknown> {
  instanceId: string;
  name: string;
  status: RuntimeStatus;
  input: unknown;
  output: O | undefined;
  error: ErrorInfo | undefined;
  customStatus: unknown;
  createdAt: number;
  updatedAt: number;
  /** The instance that started this one with ctx.callSub (absent for a top-level instance). */
  parentInstanceId?: string;
  /** The machine version it runs (an instance keeps the version it started on; docs/runtime.md, "Versions"). */
  version?: string;
}

export interface ListFilter {
  name?: string;
  status?: RuntimeStatus | RuntimeStatus[];
  createdFrom?: number | Date;
  createdTo?: number | Date;
  instanceIdPrefix?: string;
  limit?: number;
}

export class WaitTimeoutError extends Error {
  constructor(instanceId: string, timeoutMs: number, status: RuntimeStatus | undefined) {
    super(
      `instance ${instanceId} did not finish within ${timeoutMs} ms (status: ${status ?? "not found"}); ` +
        `wait longer with wait(id, { timeoutMs }), or check status(id)`,
    );
    this.name = "TimeoutError";
  }
}

export class InstanceNotFoundError extends Error {
  constructor(instanceId: string, what: string) {
    super(`${what}: no instance with id ${JSON.stringify(instanceId)} exists; start it first (client.start) or check the id`);
    this.name = "InstanceNotFoundError";
  }
}

export class InstanceNotFinishedError extends Error {
  constructor(instanceId: string, status: RuntimeStatus) {
    super(`purge: instance ${instanceId} is ${status}; only Completed, Failed or Terminated instances can be purged (terminate it first)`);
    this.name = "InstanceNotFinishedError";
  }
}

/** Lets a host's client learn of status changes at once instead of polling. */
export interface StatusNotifier {
  /** `fn` gets each committed status row of the instance (after its commit is durable). */
  subscribe(instanceId: string, fn: (status: InstanceStatusRecord) => void): () => void;
  /**
   * True while this host runs the instance's partition: then every commit of
   * its status is notified, and polling is only a safety net for a partition
   * that moves to another host meanwhile.
   */
  covers(instanceId: string): boolean;
}

export interface ClientOptions {
  backend?: BackendSpec;
  partitions?: number;
}

const FINISHED: RuntimeStatus[] = ["Completed", "Failed", "Terminated"];
/** Polling of the status index: starts fast for short instances, backs off to bound load for long ones. */
const POLL_FIRST_MS = 5;
const POLL_MAX_MS = 250;
/**
 * Polling while the notifier covers the instance (its partition runs in this
 * host): only a partition taken over by another host can change the status
 * without a notification, and a take-over waits a third of a lease (5 s)
 * anyway. Polling every POLL_MAX_MS instead re-read every waiting status four
 * times a second: with 10,000 waits, more work than running the instances.
 */
const POLL_NOTIFIED_MS = 2000;
/** How long `start` waits for its instance to appear before sending the start again (it is idempotent). */
const START_RESEND_MS = 2000;
/** `start` gives up after this long without the instance appearing (no host running the partition?). */
const START_CONFIRM_TIMEOUT_MS = 60_000;
const DEFAULT_WAIT_TIMEOUT_MS = 60_000;
const ID_PATTERN = /^[^\u0000-\u001f]{1,256}$/;

export class Client {
  private readonly sender: ClientSender;

  constructor(
    readonly backend: Backend,
    readonly partitionCount: number,
    private readonly context: {
      app?: App;
      clock?: Clock;
      notifier?: StatusNotifier;
      onClose?: () => Promise<void>;
      /** The host's PartitionOptions.historyLimit: `history` returns at most this many steps (stored ones beyond it go at the instance's next step). */
      historyLimit?: number;
    } = {},
  ) {
    this.sender = new ClientSender(backend.channels, this.clock);
  }

  private get clock(): Clock {
    return this.context.clock ?? realClock;
  }

  /** Starts an instance and returns its id; a second start with an existing id changes nothing. */
  async start<I>(orchestration: Orchestration<I, any> | string, input?: I, options: { instanceId?: string } = {}): Promise<string> {
    const name = typeof orchestration === "string" ? orchestration : orchestration?.name;
    if (typeof name !== "string") throw new TypeError(`start: the first argument must be an orchestration (or its name), got ${typeof orchestration}`);
    if (typeof orchestration === "object" && orchestration.kind === "orchestration" && !orchestration.machine) throw new NotCompiledError(name);
    const app = this.context.app;
    if (app && !app.latest.has(name)) {
      const known = [...app.latest.keys()];
      throw new TypeError(`start: unknown orchestration "${name}"; this host runs ${known.length ? known.join(", ") : "no orchestrations"}`);
    }
    const instanceId = options.instanceId ?? globalThis.crypto.randomUUID();
    checkId(instanceId, "start: instanceId");
    const body: CoreMessage = { kind: "startInstance", instanceId, name, input: encodePayload(input, `the input of orchestration "${name}"`) };
    const to = partitionOfInstance(instanceId, this.partitionCount);
    await this.sender.send(to, body as unknown as Json);
    // Deadlines on the monotonic clock: a wall clock stepped back must not stretch them.
    const deadline = this.clock.monotonic() + START_CONFIRM_TIMEOUT_MS;
    let resendAt = this.clock.monotonic() + START_RESEND_MS;
    let delay = POLL_FIRST_MS;
    for (;;) {
      // Watch before reading, so a commit between the read and the wait is not missed.
      const change = this.watch(instanceId, delay);
      if (await this.backend.store.readStatus(instanceId)) {
        change.cancel();
        return instanceId;
      }
      const now = this.clock.monotonic();
      if (now >= deadline) {
        change.cancel();
        throw new Error(`start: instance ${instanceId} did not appear within ${START_CONFIRM_TIMEOUT_MS} ms; is a host running for this backend?`);
      }
      if (now >= resendAt) {
        await this.sender.send(to, body as unknown as Json);
        resendAt = now + START_RESEND_MS;
      }
      // A notified status row is committed: the instance is visible, no need to read it back.
      if ((await change.promise) !== undefined) return instanceId;
      delay = Math.min(delay * 2, POLL_MAX_MS);
    }
  }

  async status<O = unknown>(instanceId: string): Promise<InstanceStatus<O> | undefined> {
    checkId(instanceId, "status: instanceId");
    const s = await this.backend.store.readStatus(instanceId);
    return s ? toStatus<O>(s) : undefined;
  }

  /** Resolves with the status once the instance is Completed, Failed or Terminated; rejects with TimeoutError after `timeoutMs`. */
  async wait<O = unknown>(instance: string | InstanceRef<O>, options: { timeoutMs?: number } = {}): Promise<InstanceStatus<O>> {
    const instanceId = typeof instance === "object" && instance !== null ? instance.instanceId : instance;
    checkId(instanceId, "wait: instanceId");
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    if (!(typeof timeoutMs === "number" && timeoutMs >= 0)) throw new TypeError(`wait: timeoutMs must be a number >= 0, got ${JSON.stringify(timeoutMs)}`);
    const deadline = this.clock.monotonic() + timeoutMs;
    let delay = POLL_FIRST_MS;
    let notified: InstanceStatusRecord | undefined;
    for (;;) {
      const left = deadline - this.clock.monotonic();
      const change = this.watch(instanceId, Math.max(0, Math.min(delay, left)), Math.max(0, left));
      // A notified row is the committed status: read the store only when none came (polling, or the first look).
      const s = notified ?? (await this.backend.store.readStatus(instanceId));
      notified = undefined;
      if (s && FINISHED.includes(s.status)) {
        change.cancel();
        return toStatus<O>(s);
      }
      if (left <= 0) {
        change.cancel();
        throw new WaitTimeoutError(instanceId, timeoutMs, s?.status);
      }
      notified = await change.promise;
      delay = Math.min(delay * 2, POLL_MAX_MS);
    }
  }

  /**
   * Resolves on the next status change of the instance (host clients: the
   * commit notification, with the committed status row) or after `ms`
   * (polling, with undefined), and never later than `leftMs`, the time left
   * to the caller's deadline. Set up before reading the status, so a change
   * between the read and the wait is never missed.
   */
  private watch(instanceId: string, ms: number, leftMs = Infinity): StatusWatch {
    const notifier = this.context.notifier;
    // With a notifier the timer is only a safety net, but it still ends at the caller's deadline.
    const pollMs = !notifier ? ms : notifier.covers(instanceId) ? Math.max(ms, POLL_NOTIFIED_MS) : Math.max(ms, POLL_MAX_MS);
    return new StatusWatch(this.clock, notifier, instanceId, Math.min(pollMs, leftMs));
  }

  async raise(instanceId: string, eventName: string, data?: unknown): Promise<void> {
    checkId(instanceId, "raise: instanceId");
    if (typeof eventName !== "string" || eventName.length === 0) throw new TypeError("raise: the event name must be a non-empty string");
    const payload = encodePayload(data, `the data of event "${eventName}"`);
    if (!(await this.backend.store.readStatus(instanceId))) throw new InstanceNotFoundError(instanceId, "raise");
    const body: CoreMessage = { kind: "raiseEvent", instanceId, name: eventName, data: payload };
    await this.sender.send(partitionOfInstance(instanceId, this.partitionCount), body as unknown as Json);
  }

  async terminate(instanceId: string, reason?: unknown): Promise<void> {
    checkId(instanceId, "terminate: instanceId");
    const payload = encodePayload(reason ?? null, "the termination reason");
    if (!(await this.backend.store.readStatus(instanceId))) throw new InstanceNotFoundError(instanceId, "terminate");
    const body: CoreMessage = { kind: "terminate", instanceId, reason: payload };
    await this.sender.send(partitionOfInstance(instanceId, this.partitionCount), body as unknown as Json);
  }

  /**
   * Deletes a finished instance's state (its record and status row); an
   * instance still Pending or Running is refused with InstanceNotFinishedError.
   * Resolves once the purge is sent: the partition's host applies it (status(id)
   * is undefined from then on).
   */
  async purge(instanceId: string): Promise<void> {
    checkId(instanceId, "purge: instanceId");
    const s = await this.backend.store.readStatus(instanceId);
    if (!s) throw new InstanceNotFoundError(instanceId, "purge");
    if (!FINISHED.includes(s.status)) throw new InstanceNotFinishedError(instanceId, s.status);
    const body: CoreMessage = { kind: "purgeInstance", instanceId };
    await this.sender.send(partitionOfInstance(instanceId, this.partitionCount), body as unknown as Json);
  }

  /** Sends operation `op` to the entity; with an entity definition, `op` and its input are type-checked against its ops. */
  signal<E extends Entity<any, any>, K extends keyof EntityOpsOf<E> & string>(entity: E, key: string, op: K, ...input: OpInput<EntityOpsOf<E>[K]>): Promise<void>;
  signal(entity: string, key: string, op: string, input?: unknown): Promise<void>;
  async signal(entity: Entity | string, key: string, op: string, input?: unknown): Promise<void> {
    const name = this.entityName(entity, "signal");
    if (typeof key !== "string" || key.length === 0) throw new TypeError(`signal(${name}): the key must be a non-empty string`);
    if (typeof op !== "string" || op.length === 0) throw new TypeError(`signal(${name}): the operation must be a non-empty string`);
    const def = typeof entity === "object" ? entity : this.context.app?.entities.get(name);
    if (def && typeof def.ops[op] !== "function") {
      throw new TypeError(`signal: entity "${name}" has no operation "${op}"; it has ${Object.keys(def.ops).join(", ")}`);
    }
    const id = { name, key };
    const body: CoreMessage = { kind: "entityOperation", entity: id, op, input: encodePayload(input, `the input of ${name}.${op}`) };
    await this.sender.send(partitionOfEntity(id, this.partitionCount), body as unknown as Json);
  }

  /** The entity's committed state, or undefined if it has none. */
  async readEntity<S = unknown>(entity: Entity<S> | string, key: string): Promise<S | undefined> {
    const name = this.entityName(entity, "readEntity");
    if (typeof key !== "string" || key.length === 0) throw new TypeError(`readEntity(${name}): the key must be a non-empty string`);
    const id = { name, key };
    const partition = partitionOfEntity(id, this.partitionCount);
    const objectKey = ENTITY_PREFIX + entityKeyOf(id);
    const rec = (await readCommittedObject(this.backend.store, partition, objectKey)) as EntityRecord | undefined;
    return rec && rec.exists ? (decode(rec.state) as S) : undefined;
  }

  /** Starts an instance like `start` and returns a handle typed by the orchestration. */
  async startHandle<I, O, E extends object>(orchestration: Orchestration<I, O, E>, input: I, options: { instanceId?: string } = {}): Promise<InstanceHandle<I, O, E>> {
    const instanceId = await this.start(orchestration, input, options);
    return makeHandle<I, O, E>(this, orchestration.name, instanceId);
  }

  /** A typed handle on an existing instance of `orchestration` (nothing is checked or sent until it is used). */
  handle<I, O, E extends object>(orchestration: Orchestration<I, O, E>, instanceId: string): InstanceHandle<I, O, E> {
    checkId(instanceId, "handle: instanceId");
    if (typeof orchestration?.name !== "string") throw new TypeError("handle: the first argument must be an orchestration");
    return makeHandle<I, O, E>(this, orchestration.name, instanceId);
  }

  /**
   * The instance's history, oldest step first: what woke each step, what it
   * asked for, where it waited (runtime/history.ts). Empty steps for an
   * unknown instance or one run with the history off; at most the last
   * `historyLimit` steps (the host's, for a host's client: also right after
   * the limit was lowered, before the instance's next step trims what is stored).
   */
  async history(instanceId: string): Promise<InstanceHistory> {
    checkId(instanceId, "history: instanceId");
    return readHistory(this.backend.store, this.partitionCount, instanceId, this.context.historyLimit);
  }

  async list(filter: ListFilter = {}): Promise<InstanceStatus[]> {
    const f: StatusFilter = {};
    if (filter.name !== undefined) f.name = filter.name;
    if (filter.status !== undefined) {
      const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
      for (const s of statuses) {
        if (!["Pending", "Running", "Suspended", ...FINISHED].includes(s)) throw new TypeError(`list: unknown status "${s}"; use Pending, Running, Suspended, Completed, Failed or Terminated`);
      }
      f.status = statuses;
    }
    if (filter.createdFrom !== undefined) f.createdFrom = +filter.createdFrom;
    if (filter.createdTo !== undefined) f.createdTo = +filter.createdTo;
    if (filter.instanceIdPrefix !== undefined) f.instanceIdPrefix = filter.instanceIdPrefix;
    if (filter.limit !== undefined) f.limit = filter.limit;
    return (await this.backend.store.listStatus(f)).map(listedStatus);
  }

  /**
   * The machine versions stored with the backend, each with the instances
   * that still use it by state (docs/runtime.md, "Versions"). Empty on a
   * backend object that keeps no versions.
   */
  async versions(): Promise<VersionReport[]> {
    const store = this.backend.versions;
    return store ? versionReport(this.backend.store, store) : [];
  }

  /**
   * Moves waiting instances (one id, or every instance a filter lists) to the
   * latest version of their orchestration, where the compiler can prove the
   * move; one report line per instance: upgraded, or kept with the reason.
   * See docs/runtime.md "Upgrading instances".
   */
  async upgrade(target: string | ListFilter, options: UpgradeOptions): Promise<UpgradeReportLine[]> {
    return requestUpgrade({
      store: this.backend.store, partitionCount: this.partitionCount, clock: this.clock,
      send: (partition, body) => this.sender.send(partition, body),
      list: (filter) => this.list(filter),
      readStatus: (id) => this.backend.store.readStatus(id),
    }, target, options);
  }

  async close(): Promise<void> {
    await this.context.onClose?.();
  }

  private entityName(entity: Entity | string, what: string): string {
    const name = typeof entity === "string" ? entity : entity?.name;
    if (typeof name !== "string" || name.length === 0) throw new TypeError(`${what}: the first argument must be an entity (or its name)`);
    const app = this.context.app;
    if (app && app.entities.size > 0 && !app.entities.has(name)) {
      throw new TypeError(`${what}: unknown entity "${name}"; this host has ${[...app.entities.keys()].join(", ")}`);
    }
    return name;
  }
}

/**
 * One wait for a status change: the notification (with the committed row),
 * or the poll timer (undefined), or `cancel()`, whichever first. A class
 * rather than closures: one is made per instance per wait, and methods are
 * not re-created each time.
 */
class StatusWatch {
  readonly promise: Promise<InstanceStatusRecord | undefined>;
  private finish!: (status: InstanceStatusRecord | undefined) => void;
  private done = false;
  private readonly unsubscribe: (() => void) | undefined;
  private readonly handle: TimerHandle;

  constructor(private readonly clock: Clock, notifier: StatusNotifier | undefined, instanceId: string, pollMs: number) {
    this.promise = new Promise<InstanceStatusRecord | undefined>((resolve) => (this.finish = resolve));
    this.unsubscribe = notifier?.subscribe(instanceId, (status) => this.end(status));
    this.handle = clock.setTimeout(() => this.end(undefined), pollMs);
  }

  cancel(): void {
    this.end(undefined);
  }

  private end(status: InstanceStatusRecord | undefined): void {
    if (this.done) return;
    this.done = true;
    this.unsubscribe?.();
    this.clock.clearTimeout(this.handle);
    this.finish(status);
  }
}

function checkId(id: unknown, what: string): asserts id is string {
  if (typeof id !== "string" || !ID_PATTERN.test(id)) throw new TypeError(`${what} must be a string of 1-256 characters without control characters, got ${JSON.stringify(id)}`);
}

/** An instance's status; a field that cannot be decoded fails this request (a CodecError naming the instance and field). */
function toStatus<O>(s: InstanceStatusRecord): InstanceStatus<O> {
  return {
    instanceId: s.instanceId,
    name: s.name,
    status: s.status,
    input: decodeField(s, "input", s.input),
    output: s.status === "Completed" || s.status === "Terminated" ? (decodeField(s, "output", s.output) as O) : undefined,
    // A copy: a notified row is shared by every waiter of the instance.
    error: s.error === null ? undefined : { ...(s.error as unknown as ErrorInfo) },
    customStatus: s.customStatus === null ? undefined : decodeField(s, "custom status", s.customStatus),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    ...(s.parentInstanceId !== undefined ? { parentInstanceId: s.parentInstanceId } : {}),
    ...(s.version ? { version: s.version } : {}),
  };
}

function decodeField(s: InstanceStatusRecord, field: string, value: Json): unknown {
  try {
    return decode(value);
  } catch (error) {
    throw new CodecError(`instance ${s.instanceId}: its ${field} cannot be decoded: ${(error as Error).message}`);
  }
}

/**
 * One row of list(): one undecodable instance must not fail the listing of the
 * whole store, so it is listed with its data fields undefined and `error`
 * saying which field could not be decoded and why.
 */
function listedStatus(s: InstanceStatusRecord): InstanceStatus {
  try {
    return toStatus(s);
  } catch (error) {
    return {
      instanceId: s.instanceId, name: s.name, status: s.status, input: undefined, output: undefined,
      error: { name: "CodecError", message: (error as Error).message }, customStatus: undefined,
      createdAt: s.createdAt, updatedAt: s.updatedAt, ...(s.version ? { version: s.version } : {}),
    };
  }
}

/** A client without a host: talks to partitions run by hosts elsewhere over the same backend. */
export async function connect(options: ClientOptions = {}): Promise<Client> {
  const partitions = options.partitions ?? 4;
  const { backend, owned } = await createBackend(options.backend, partitions);
  return new Client(backend, partitions, { onClose: owned ? () => backend.close() : undefined });
}
