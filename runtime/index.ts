/**
 * `import { ... } from "nwc"`: the author API, the client and the host.
 */
export * from "./api.ts";
export type * from "./machine.ts";
export { registerClass, CodecError } from "./codec.ts";
export { connect, Client, WaitTimeoutError, InstanceNotFoundError, InstanceNotFinishedError } from "./client.ts";
export type { InstanceStatus, ListFilter, ClientOptions, RuntimeStatus } from "./client.ts";
export { startHost } from "./host.ts";
export type { Host, HostOptions, StepTrace, PartitionOptions } from "./host.ts";
export type { BackendSpec } from "./backends/index.ts";
