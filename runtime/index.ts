/**
 * `import { ... } from "nwc"`: the author API, the client and the host.
 */
export * from "./api.ts";
export type * from "./machine.ts";
export { registerClass, CodecError } from "./codec.ts";
export { connect, Client, WaitTimeoutError, InstanceNotFoundError, InstanceNotFinishedError, InstanceFailedError, InstanceTerminatedError } from "./client.ts";
export type { InstanceStatus, ListFilter, ClientOptions, RuntimeStatus, InstanceHandle, InstanceRef, TypedStatus } from "./client.ts";
export { startHost } from "./host.ts";
export { LeaseHeld, StoreCorrupted, StoreUnwritable } from "./backends/errors.ts";
export type { Host, HostOptions, StepTrace, PartitionOptions } from "./host.ts";
export type { BackendSpec } from "./backends/index.ts";
export type { UpgradeOptions, UpgradeReportLine } from "./upgrade/report.ts";
export type { HistoryStep, HistoryWake, HistoryCommand, HistoryWait, HistoryError, HistoryWakeKind, InstanceHistory } from "./history.ts";
