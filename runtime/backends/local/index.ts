/**
 * The embedded `local` backend: channels and store as files under one
 * directory (default `.nwc/`), checksummed, fsync'd, surviving kill -9.
 * See docs/local-backend.md for the formats and the fsync discipline.
 */
import { mkdirSync } from "node:fs";
import type { Backend, CheckpointState } from "../types.ts";
import { LocalChannels } from "./channels.ts";
import { LocalStore } from "./store.ts";
import { asUnwritable } from "./unwritable.ts";
import { LocalVersionStore } from "../../versions/local-store.ts";

export { LocalChannels } from "./channels.ts";
export { LocalStore } from "./store.ts";
export { LeaseHeld, StoreCorrupted, StoreUnwritable } from "../errors.ts";

export interface LocalBackend extends Backend {
  readonly kind: "local";
  readonly channels: LocalChannels;
  readonly store: LocalStore;
  readonly dir: string;
  readonly versions: LocalVersionStore;
}

export interface LocalBackendOptions {
  /** Default `.nwc`. */
  dir?: string;
  /** Segment size of the commit logs and the channels (defaults 4 MiB each); small values in tests make rotation and trimming frequent. */
  segmentBytes?: number;
  /** How long a short last channel frame may be a write in progress before it counts as torn (default 1 s). */
  tornAfterMs?: number;
}

export async function createLocalBackend(options: LocalBackendOptions, partitionCount: number): Promise<LocalBackend> {
  const dir = options.dir ?? ".nwc";
  if (typeof dir !== "string" || dir === "") throw new TypeError(`local backend: dir must be a non-empty path, got ${JSON.stringify(dir)}`);
  if (!(Number.isInteger(partitionCount) && partitionCount >= 1)) throw new RangeError(`local backend: partition count must be a positive integer, got ${partitionCount}`);
  let channels: LocalChannels;
  let store: LocalStore;
  try {
    mkdirSync(dir, { recursive: true });
    channels = new LocalChannels(dir, partitionCount, { segmentBytes: options.segmentBytes, tornAfterMs: options.tornAfterMs });
    // Channel segments below a durable checkpoint's input position are consumed and checkpointed: delete them.
    const onCheckpoint = (partition: number, state: CheckpointState) => {
      if (state.inputPosition !== undefined) channels.trimConsumed(partition, state.inputPosition);
    };
    const channelEnd = {
      read: (p: number) => channels.endPosition(p),
      check: (p: number, end: string) => channels.checkEnd(p, end),
      holds: (p: number, position: string, recordedEnd?: string) => channels.holds(p, position, recordedEnd),
    };
    store = new LocalStore(dir, partitionCount, { segmentBytes: options.segmentBytes, onCheckpoint, channelEnd });
  } catch (error) {
    throw asUnwritable(error, dir);
  }
  return {
    kind: "local",
    channels,
    store,
    dir,
    versions: new LocalVersionStore(dir),
    async close() {
      await channels.close();
      await store.close();
    },
  };
}

export default createLocalBackend;
