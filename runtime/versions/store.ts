/**
 * Where machine versions are kept with the backend: the compiled code of one
 * version of one orchestration (a self-contained CommonJS module text, see
 * bundle.ts), stored so that an instance can finish on the code it started
 * with after its source is gone. Every backend has one: memory (in the
 * backend object), local (files under the store directory), aws (items of
 * the partitions table).
 *
 * Invariants: `put` is idempotent (a second put of the same name and version
 * changes nothing, the first `storedAt` stays); `get` returns exactly the text
 * given to `put`, or undefined; nothing here imports `node:` (the memory
 * store runs in the browser).
 */

export interface StoredVersionInfo {
  name: string;
  version: string;
  /** Epoch ms of the first put. */
  storedAt: number;
  /** Size of the code, UTF-8 bytes. */
  bytes: number;
  /**
   * Hosts whose app has this version, by host id, with when each last said so
   * (`hold`: at start, then every few minutes; `release` at a clean stop). A
   * version a live host holds is never deleted, even with no instance on it:
   * that host may start one at any moment (keeper.ts).
   */
  holders: Record<string, number>;
}

export interface VersionStore {
  put(entry: { name: string; version: string; code: string }): Promise<void>;
  get(name: string, version: string): Promise<string | undefined>;
  list(): Promise<StoredVersionInfo[]>;
  delete(name: string, version: string): Promise<void>;
  /** Records that host `hostId` runs this version, now (`at`); false if the version is not stored. */
  hold(name: string, version: string, hostId: string, at: number): Promise<boolean>;
  /** The host no longer runs this version (it stopped). */
  release(name: string, version: string, hostId: string): Promise<void>;
}

export function assertVersionId(name: unknown, version: unknown): void {
  if (typeof name !== "string" || name === "") throw new TypeError(`versions: an orchestration name must be a non-empty string, got ${JSON.stringify(name)}`);
  if (typeof version !== "string" || !/^[A-Za-z0-9_-]+$/.test(version)) {
    throw new TypeError(`versions: a version must be letters, digits, "-" or "_" (a content hash), got ${JSON.stringify(version)}`);
  }
}

export const versionKey = (name: string, version: string): string => `${name}@${version}`;

export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

/** Versions in a stable order: by name, then oldest first. */
export function sortVersions(list: StoredVersionInfo[]): StoredVersionInfo[] {
  return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.storedAt - b.storedAt || (a.version < b.version ? -1 : 1)));
}
