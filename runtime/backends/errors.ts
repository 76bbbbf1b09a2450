/**
 * Errors a backend raises when retrying cannot help: damaged files, a store
 * directory this process may not write, a store in use by another live
 * process. The host does not retry them (runtime/host.ts): `startHost`
 * rejects with the error, which names the file or process and says what to do.
 */

/** Marks an error the host must not retry: the same open would fail the same way. */
export const PERMANENT = Symbol.for("nwc.permanentStoreError");

export function isPermanentStoreError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { [PERMANENT]?: boolean })[PERMANENT] === true;
}

/**
 * A store file is damaged (bad checksum, cut short, missing, out of order).
 * Nothing was changed or deleted when this is thrown; `recovery` says what the user can do.
 */
export class StoreCorrupted extends Error {
  readonly [PERMANENT] = true;
  constructor(
    readonly file: string,
    readonly damage: string,
    readonly recovery: string,
    readonly offset?: number,
  ) {
    super(`store damaged: ${file}${offset !== undefined ? ` at byte ${offset}` : ""}: ${damage}. Nothing was changed or deleted. To recover: ${recovery}`);
    this.name = "StoreCorrupted";
  }
}

/** The store directory cannot be written (read-only file system, or no permission). */
export class StoreUnwritable extends Error {
  readonly [PERMANENT] = true;
  constructor(
    readonly dir: string,
    readonly code: string,
    cause: unknown,
  ) {
    super(
      `directory ${dir} is read-only (${(cause as Error)?.message ?? code}); ` +
        `the local backend must write there: make it writable, or choose another directory (nwc: --dir <path>; startHost: backend: { kind: "local", dir })`,
      { cause },
    );
    this.name = "StoreUnwritable";
  }
}

/** Another live process on this machine holds a partition of the store. */
export class LeaseHeld extends Error {
  readonly [PERMANENT] = true;
  constructor(
    readonly dir: string,
    readonly partition: number,
    readonly holder: { pid: number; command?: string; hostname?: string },
  ) {
    super(
      `the store ${dir} is in use: process ${holder.pid}${holder.command ? ` (${holder.command})` : ""} on this machine holds partition ${partition}. ` +
        `Stop that process, or use another store: another directory (nwc: --dir <path>; startHost: backend: { kind: "local", dir }) or the in-memory backend (nwc: --backend memory)`,
    );
    this.name = "LeaseHeld";
  }
}
