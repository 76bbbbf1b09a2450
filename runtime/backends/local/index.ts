/**
 * The embedded `local` backend: channels and store as files under one
 * directory (default `.nwc/`), checksummed, fsync'd, surviving kill -9.
 * See docs/local-backend.md for the formats and the fsync discipline.
 */
import { mkdirSync } from "node:fs";
import type { Backend } from "../types.ts";
import { LocalChannels } from "./channels.ts";
import { LocalStore } from "./store.ts";

export { LocalChannels } from "./channels.ts";
export { LocalStore } from "./store.ts";

export interface LocalBackend extends Backend {
  readonly kind: "local";
  readonly channels: LocalChannels;
  readonly store: LocalStore;
  readonly dir: string;
}

export async function createLocalBackend(options: { dir?: string }, partitionCount: number): Promise<LocalBackend> {
  const dir = options.dir ?? ".nwc";
  if (typeof dir !== "string" || dir === "") throw new TypeError(`local backend: dir must be a non-empty path, got ${JSON.stringify(dir)}`);
  if (!(Number.isInteger(partitionCount) && partitionCount >= 1)) throw new RangeError(`local backend: partition count must be a positive integer, got ${partitionCount}`);
  mkdirSync(dir, { recursive: true });
  const channels = new LocalChannels(dir, partitionCount);
  const store = new LocalStore(dir, partitionCount);
  return {
    kind: "local",
    channels,
    store,
    dir,
    async close() {
      await channels.close();
      await store.close();
    },
  };
}

export default createLocalBackend;
