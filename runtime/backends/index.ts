/**
 * The backend factory: `"memory"`, `{ kind: "memory", ... }`, `{ kind:
 * "local", dir }` (default dir `.nwc/`), `{ kind: "aws", ... }`, or a Backend
 * object already made (shared by a host and clients in one process). local
 * and aws are imported lazily, so a memory-only program loads neither. The
 * specifiers are string literals on purpose: bundlers (esbuild for the Lambda
 * bundle) follow them and include the backend, and `tsc` rewrites them to the
 * `.js` files of dist/; a specifier held in a variable reaches neither.
 *
 * Invariant: a spec is validated before anything is created; a bad one gets
 * an error that lists the accepted forms.
 */
import type { Clock } from "../partitions/clock.ts";
import { createMemoryBackend, type FaultOptions } from "./memory/index.ts";
import type { Backend } from "./types.ts";

export type BackendSpec =
  | "memory"
  | "local"
  | { kind: "memory"; faults?: FaultOptions }
  | { kind: "local"; dir?: string }
  | { kind: "aws"; region?: string; stream: string; tablePrefix?: string; endpoints?: { dynamodb?: string; kinesis?: string }; [option: string]: unknown }
  | Backend;

export const DEFAULT_LOCAL_DIR = ".nwc";

export function isBackend(value: unknown): value is Backend {
  const b = value as Backend | null;
  return typeof b === "object" && b !== null && typeof b.channels === "object" && typeof b.store === "object" && typeof b.close === "function";
}

const FORMS = `"memory", { kind: "local", dir: ".nwc" }, { kind: "aws", region, stream, tablePrefix, endpoints? }`;

/** Makes the backend a spec names. `owned` is false for a Backend object passed in (its creator closes it). */
export async function createBackend(spec: BackendSpec | undefined, partitions: number, options: { clock?: Clock } = {}): Promise<{ backend: Backend; owned: boolean }> {
  if (!(Number.isInteger(partitions) && partitions >= 1 && partitions <= 1024)) {
    throw new TypeError(`partitions must be an integer from 1 to 1024, got ${JSON.stringify(partitions)}`);
  }
  if (isBackend(spec)) {
    if (spec.channels.partitionCount !== partitions) {
      throw new TypeError(`the backend was made for ${spec.channels.partitionCount} partitions but ${partitions} were asked for; use the same count everywhere`);
    }
    return { backend: spec, owned: false };
  }
  const s = spec ?? { kind: "local" as const };
  const kind = typeof s === "string" ? s : (s as { kind?: unknown }).kind;
  switch (kind) {
    case "memory":
      return { backend: createMemoryBackend({ partitions, clock: options.clock, faults: typeof s === "object" ? (s as { faults?: FaultOptions }).faults : undefined }), owned: true };
    case "local": {
      const dir = typeof s === "object" ? ((s as { dir?: string }).dir ?? DEFAULT_LOCAL_DIR) : DEFAULT_LOCAL_DIR;
      let mod: { createLocalBackend?: unknown; default?: unknown };
      try {
        mod = await import("./local/index.ts");
      } catch (error) {
        throw new Error(`the local backend is not available in this build (${(error as Error).message}); use backend: "memory"`);
      }
      const create = mod.createLocalBackend ?? mod.default;
      if (typeof create !== "function") throw new Error("runtime/backends/local/index.ts does not export createLocalBackend(options, partitions)");
      return { backend: await create({ dir }, partitions), owned: true };
    }
    case "aws": {
      const { createAwsBackend } = await import("./aws/index.ts");
      return { backend: await createAwsBackend(s, partitions), owned: true };
    }
    default:
      throw new TypeError(`unknown backend ${JSON.stringify(spec)}; use one of ${FORMS}`);
  }
}
