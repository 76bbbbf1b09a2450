/**
 * The handler tables: one handler per message kind, one per command kind, and
 * the hooks extensions attach to (runtime/partitions/entities adds the lock
 * protocol this way). Finding who handles a message is opening one file.
 *
 * Invariant: handlers are synchronous and change state only through the
 * Batch; `keys` names every instance or entity object `apply` reads, so the
 * partition loads them before the batch applies.
 */
import type { Command } from "../machine.ts";
import type { Batch } from "./batch.ts";
import type { AnyMessage, EntityOperationMessage } from "./messages.ts";
import type { EntityRecord } from "./state/entity.ts";
import type { InstanceRecord } from "./state/instance.ts";

export interface MessageHandler<M extends AnyMessage = any> {
  /** Object keys of instances and entities `apply` reads (loaded on demand before the batch applies). */
  keys(message: M, partitionCount: number): string[];
  apply(message: M, batch: Batch, from: string): void;
}

/** Runs one command of a step. Throwing fails the instance with that error (a rule it broke, an unknown target). */
export type CommandHandler<C extends Command = any> = (command: C, instance: InstanceRecord, batch: Batch) => void;

export const messageHandlers = new Map<string, MessageHandler>();
export const commandHandlers = new Map<string, CommandHandler>();

export interface Hooks {
  /** The instance completed, failed, continued as new or was terminated (release what it holds). */
  onInstanceEnd: ((instance: InstanceRecord, batch: Batch) => void)[];
  /**
   * May an entity operation run now? "queued" means the hook kept it and will
   * run it later (entity locks). Default: run.
   */
  admitEntityOperation?: (entity: EntityRecord, message: EntityOperationMessage, batch: Batch) => "run" | "queued";
  /** Tags an entity call with extension fields (a lock's requestId); throws to fail the caller. */
  tagEntityCall?: (instance: InstanceRecord, command: Extract<Command, { kind: "callEntity" }>, message: EntityOperationMessage) => void;
  /** Checks a signal before it is sent; throws to fail the caller. */
  checkSignal?: (instance: InstanceRecord, command: Extract<Command, { kind: "signalEntity" }>) => void;
}

export const hooks: Hooks = { onInstanceEnd: [] };

export function registerMessageHandler<M extends AnyMessage>(kind: M["kind"], handler: MessageHandler<M>): void {
  const h = handler as unknown as MessageHandler;
  if (messageHandlers.has(kind) && messageHandlers.get(kind) !== h) throw new Error(`message kind "${kind}" already has a handler`);
  messageHandlers.set(kind, h);
}

export function registerCommandHandler<K extends Command["kind"]>(kind: K, handler: CommandHandler<Extract<Command, { kind: K }>>): void {
  if (commandHandlers.has(kind) && commandHandlers.get(kind) !== handler) throw new Error(`command kind "${kind}" already has a handler`);
  commandHandlers.set(kind, handler);
}
