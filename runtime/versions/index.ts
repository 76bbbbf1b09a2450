/**
 * Machine versions kept with the backend, so an instance finishes on the code
 * it started with (docs/runtime.md, "Versions"). The store interface and its
 * three implementations, the code a version is stored as (bundle.ts), loading
 * it back (load.ts), the host's keeper (store, load, delete) and the report.
 * This index imports no `node:` module; the Node side is node.ts
 * (`loadStoredVersion(backend.versions, name, version)` gives a stored machine).
 */
export type { StoredVersionInfo, VersionStore } from "./store.ts";
export { MemoryVersionStore } from "./memory-store.ts";
export { loadStoredMachine, type HostModules } from "./load.ts";
export { VersionKeeper } from "./keeper.ts";
export { versionReport, liveUse, LIVE_STATUSES, type VersionReport } from "./report.ts";
