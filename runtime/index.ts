/**
 * `import { ... } from "nwc"`: the author API, the client and the host.
 */
export * from "./api.ts";
export type * from "./machine.ts";
export { registerClass, CodecError } from "./codec.ts";
