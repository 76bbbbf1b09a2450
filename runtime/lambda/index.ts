/**
 * The Lambda entry points the deploy bundle exports (deploy/bundle.ts):
 * `createLambdaHandlers(app)` returns `{ partition, timer, client, activity }`, each a
 * Lambda handler; configuration comes from the environment (config.ts) on
 * first use, and clients, backend and partitions stay cached while the
 * container is warm. Invariant: importing this module does no I/O.
 */
import type { StoredCode } from "../versions/keeper.ts";
import { App } from "../partitions/app.ts";
import { createAwsBackend, createAwsChannels } from "../backends/aws/index.ts";
import { connect, type Client } from "../client.ts";
import { runClientOperation, type ClientEvent } from "./client-api.ts";
import { configFromEnv, type LambdaConfig } from "./config.ts";
import type { BatchResponse, KinesisStreamEvent, ScheduledEvent } from "./events.ts";
import { PartitionProcessor, type InvocationContext } from "./processor.ts";
import { tickAll } from "./timer.ts";
import { runActivityTask, type Invoke } from "./activity.ts";
import { ActivityWorkers } from "../workers.ts";
import type { ActivityTask } from "../partitions/executor.ts";
import type { JsonTaskResult } from "../partitions/messages.ts";

export { PartitionProcessor } from "./processor.ts";
export { tickAll } from "./timer.ts";
export { runClientOperation } from "./client-api.ts";
export { DispatchingExecutor, runActivityTask } from "./activity.ts";
export type { KinesisStreamEvent, KinesisEventRecord, BatchResponse } from "./events.ts";

export interface LambdaHandlers {
  partition(event: KinesisStreamEvent, context?: InvocationContext): Promise<BatchResponse>;
  timer(event?: ScheduledEvent): Promise<{ ticked: number }>;
  client(event: ClientEvent): Promise<unknown>;
  /** The activity worker: runs one attempt dispatched by a partition processor. */
  activity(task: ActivityTask): Promise<JsonTaskResult>;
  /** The processor (tests, shutdown hooks). */
  readonly processor: PartitionProcessor;
  close(): Promise<void>;
}

/** A client for any Lambda (or process) with the nwc environment variables set. */
export async function connectFromEnv(env: Record<string, string | undefined> = process.env): Promise<Client> {
  const config = configFromEnv(env);
  // The backend object is made here, statically imported, so a bundle holds it (the
  // factory's lazy import of the aws backend is invisible to bundlers). It lives as
  // long as the container.
  const backend = await createAwsBackend({ ...config.backend, createResources: false }, config.partitions);
  return connect({ backend, partitions: config.partitions });
}

/**
 * The app of a user module: its `app` export (or default export) when it has
 * one, else every exported orchestration, activity and entity.
 */
export function appFromModule(mod: Record<string, unknown>): unknown[] {
  const explicit = mod.app ?? mod.default;
  if (explicit !== undefined) return [explicit];
  const kinds = ["orchestration", "activity", "entity"];
  return Object.values(mod).filter((v) => typeof v === "object" && v !== null && kinds.includes((v as { kind?: string }).kind ?? ""));
}

export function createLambdaHandlers(app: unknown, config?: LambdaConfig, options: { invokeActivity?: Invoke; storedVersions?: StoredCode[] } = {}): LambdaHandlers {
  let cfg = config;
  const getConfig = () => (cfg ??= configFromEnv());
  let processor: PartitionProcessor | undefined;
  const getProcessor = () => {
    if (processor) return processor;
    processor = options.invokeActivity
      ? new PartitionProcessor(getConfig(), App.from(app), {}, undefined, options.invokeActivity)
      : new PartitionProcessor(getConfig(), App.from(app));
    processor.storedVersions = options.storedVersions ?? [];
    return processor;
  };
  let client: Promise<Client> | undefined;
  let workers: ActivityWorkers | undefined;
  let timerChannels: ReturnType<typeof createAwsChannels> | undefined;
  const getClient = () => (client ??= getProcessor().getBackend().then((backend) => connect({ backend, partitions: getConfig().partitions })));
  return {
    partition: (event, context) => getProcessor().handle(event, context),
    async timer() {
      // Channels only: the timer's role may put records and nothing else.
      timerChannels ??= createAwsChannels({ ...getConfig().backend, createResources: false }, getConfig().partitions);
      return { ticked: await tickAll((await timerChannels).channels) };
    },
    async client(event) {
      return runClientOperation(await getClient(), event);
    },
    activity(task) {
      workers ??= new ActivityWorkers(App.from(app).activities);
      return runActivityTask(workers, task);
    },
    get processor() {
      return getProcessor();
    },
    async close() {
      await processor?.close();
      if (timerChannels) await (await timerChannels).close();
      if (client) await (await client).close();
    },
  };
}
