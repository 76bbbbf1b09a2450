/**
 * Typed handles on instances: `client.startHandle(orch, input)` and
 * `client.handle(orch, id)` return an InstanceHandle whose `result()` is the
 * orchestration's output type, whose `raise` checks event names and data
 * against the event map the orchestration declares on its context
 * (`async (ctx: OrchestrationContext<{ approval: Decision }>, input) => ...`),
 * and which `client.wait(handle)` accepts.
 *
 * A handle holds only the client, the orchestration's name and the instance
 * id: it is a typed view, every call goes through the client.
 */
import type { Orchestration } from "./api.ts";
import type { InstanceStatus } from "./client.ts";
import type { ErrorInfo } from "./machine.ts";

/** Anything naming an instance whose output is `O`: an id, or a handle. */
export interface InstanceRef<O = unknown> {
  readonly instanceId: string;
  /** Phantom: the output type, for `client.wait(handle)`. */
  readonly __output?: O;
}

/** `raise` of a handle: checked against the orchestration's event map, or any event when it declares none. */
export type RaiseFn<Events> = [keyof Events] extends [never]
  ? (eventName: string, data?: unknown) => Promise<void>
  : <K extends keyof Events & string>(eventName: K, ...data: undefined extends Events[K] ? [data?: Events[K]] : [data: Events[K]]) => Promise<void>;

/** An InstanceStatus with the orchestration's input type too. */
export type TypedStatus<I, O> = Omit<InstanceStatus<O>, "input"> & { input: I };

export interface InstanceHandle<I = unknown, O = unknown, Events = {}> extends InstanceRef<O> {
  /** The orchestration's name. */
  readonly name: string;
  /** The output once Completed; rejects with the instance's error if it Failed, InstanceTerminatedError if Terminated. */
  result(options?: { timeoutMs?: number }): Promise<O>;
  /** The status once Completed, Failed or Terminated. */
  wait(options?: { timeoutMs?: number }): Promise<TypedStatus<I, O>>;
  status(): Promise<TypedStatus<I, O> | undefined>;
  raise: RaiseFn<Events>;
  terminate(reason?: unknown): Promise<void>;
}

export type InputOf<T> = T extends Orchestration<infer I, any, any> ? I : never;
export type OutputOf<T> = T extends Orchestration<any, infer O, any> ? O : never;
export type EventsOf<T> = T extends Orchestration<any, any, infer E> ? E : never;

/**
 * What `handle.result()` rejects with when the instance failed: the
 * instance's error, with its original name, message and stack (as an
 * activity's failure reaches an orchestration), plus the instance id.
 */
export class InstanceFailedError extends Error {
  readonly instanceId: string;
  readonly error: ErrorInfo;

  constructor(instanceId: string, error: ErrorInfo) {
    super(error.message);
    this.name = error.name;
    this.instanceId = instanceId;
    this.error = error;
    if (error.stack) this.stack = error.stack;
  }
}

export class InstanceTerminatedError extends Error {
  constructor(readonly instanceId: string, readonly reason: unknown) {
    super(`instance ${instanceId} was terminated${reason === undefined || reason === null ? "" : `: ${JSON.stringify(reason)}`}`);
    this.name = "InstanceTerminatedError";
  }
}

/** The client calls a handle needs (the Client class implements them; kept narrow so this file does not import it). */
export interface HandleClient {
  wait(instance: string, options?: { timeoutMs?: number }): Promise<TypedStatus<any, any>>;
  status(instanceId: string): Promise<TypedStatus<any, any> | undefined>;
  raise(instanceId: string, eventName: string, data?: unknown): Promise<void>;
  terminate(instanceId: string, reason?: unknown): Promise<void>;
}

export function makeHandle<I, O, E>(client: HandleClient, name: string, instanceId: string): InstanceHandle<I, O, E> {
  const wait = (options?: { timeoutMs?: number }) => client.wait(instanceId, options) as Promise<TypedStatus<I, O>>;
  return {
    instanceId,
    name,
    wait,
    async result(options) {
      const s = await wait(options);
      if (s.status === "Completed") return s.output as O;
      if (s.status === "Failed") throw new InstanceFailedError(instanceId, s.error ?? { name: "Error", message: "the instance failed without an error" });
      throw new InstanceTerminatedError(instanceId, s.output);
    },
    status: () => client.status(instanceId) as Promise<TypedStatus<I, O> | undefined>,
    raise: ((eventName: string, data?: unknown) => client.raise(instanceId, eventName, data)) as RaiseFn<E>,
    terminate: (reason) => client.terminate(instanceId, reason),
  };
}
