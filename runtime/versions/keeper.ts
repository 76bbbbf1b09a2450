/**
 * The host side of stored versions: stores every version of the host's app
 * before its partitions start (so no instance can start on a version that is
 * not stored), loads a version the app lacks when an instance needs it (the
 * app's `VersionSource`), and deletes versions nothing uses any more.
 *
 * Invariants: a version is deleted only when no Pending, Running or Suspended
 * instance uses it and no live host holds it (one that has it in its app: it
 * may start an instance on it at any moment). A host holds its app's versions
 * from its start, says so again every HOLD_REFRESH_MS (storing a version again
 * should another host have deleted it meanwhile), and releases them at a clean
 * stop; a hold older than the grace (HOLD_GRACE_MS, three refreshes) is a host
 * that died. A failure to store or
 * sweep is logged, never fatal (the instance runs; only a later host without
 * its code would suspend it, saying why).
 */
import type { Machine } from "../machine.ts";
import type { App, VersionSource } from "../partitions/app.ts";
import type { PartitionStore } from "../backends/types.ts";
import { loadStoredMachine, type HostModules } from "./load.ts";
import { liveUse } from "./report.ts";
import { versionKey, type VersionStore } from "./store.ts";

/** Makes the stored code of a machine (bundle.ts in Node). */
export type MakeCode = (machine: Machine) => Promise<string>;

/**
 * What loading and storing need from the platform: this host's nwc modules and,
 * where sources can be bundled, a way to make stored code. Asked for only when
 * there is something to load or store (in Node it imports esbuild's side of
 * nwc; a playground run in a simulator never waits for that).
 */
export type KeeperTools = () => Promise<{ modules: HostModules; makeCode?: MakeCode }>;

/** One version's stored code, as `VersionStore.put` takes it. */
export interface StoredCode {
  name: string;
  version: string;
  code: string;
}

type Log = (level: "warn" | "error", message: string) => void;

/** How often a running host says again that it holds its app's versions. */
export const HOLD_REFRESH_MS = 5 * 60_000;
/** A hold not refreshed for this long is a host that is gone. */
export const HOLD_GRACE_MS = 3 * HOLD_REFRESH_MS;

/** Code made in this process, by source and version: hosts restarted in one process (tests, nwc dev) bundle once. */
const made = new Map<string, Promise<string>>();

export class VersionKeeper implements VersionSource {
  private sweeping: Promise<void> | undefined;
  private sweepAgain = false;

  private tools: ReturnType<KeeperTools> | undefined;

  constructor(
    readonly versions: VersionStore,
    private readonly log: Log,
    private readonly getTools: KeeperTools,
    /** This host, as its holds name it. */
    private readonly hostId = `host-${globalThis.crypto.randomUUID()}`,
    private readonly now: () => number = Date.now,
    private readonly holdGraceMs = HOLD_GRACE_MS,
  ) {}

  private platform(): ReturnType<KeeperTools> {
    return (this.tools ??= this.getTools());
  }

  async load(name: string, version: string): Promise<Machine> {
    let code: string | undefined;
    try {
      code = await this.versions.get(name, version);
    } catch (error) {
      throw new Error(`its stored code cannot be read: ${(error as Error).message}`);
    }
    if (code === undefined) throw new Error("it is not stored with the backend (it was started by a host that could not store it, or deleted)");
    const { modules } = await this.platform();
    try {
      return loadStoredMachine(code, name, version, modules);
    } catch (error) {
      throw new Error(`its stored code fails to load: ${(error as Error).message}`);
    }
  }

  /** Stores every version of `app` not stored yet; the ones without a known source module are skipped with a warning. */
  async storeApp(app: App): Promise<void> {
    // Hand-made machines and the playground's (blob: modules) have no file to store.
    const storable = [...app.orchestrations.values()].flatMap((ms) => [...ms.values()]).filter((m) => m.source?.startsWith("file:"));
    if (storable.length === 0) return;
    let stored: Set<string>;
    try {
      stored = new Set((await this.versions.list()).map((v) => versionKey(v.name, v.version)));
    } catch (error) {
      this.log("warn", `the stored versions cannot be listed (${(error as Error).message}); this host's versions are not stored, ` +
        `so only a host with this same build can finish the instances it starts`);
      return;
    }
    const missing = storable.filter((m) => !stored.has(versionKey(m.name, m.version)));
    await this.hold(storable.filter((m) => stored.has(versionKey(m.name, m.version))));
    if (missing.length === 0) return;
    const { makeCode } = await this.platform();
    if (!makeCode) return;
    for (const machine of missing) {
      try {
        const key = `${machine.source}\n${machine.version}`;
        let code = made.get(key);
        if (!code) made.set(key, (code = makeCode(machine)));
        await this.versions.put({ name: machine.name, version: machine.version, code: await code.catch((error) => {
          made.delete(key);
          throw error;
        }) });
        await this.hold([machine]);
      } catch (error) {
        this.log("warn", `version ${machine.version} of orchestration "${machine.name}" could not be stored (${(error as Error).message}); ` +
          `its instances run, but only a host with this same build can finish them`);
      }
    }
  }

  /** Says that this host runs `machines` now; a version another host deleted meanwhile is stored again by the next storeApp. */
  private async hold(machines: readonly { name: string; version: string }[]): Promise<void> {
    const at = this.now();
    for (const m of machines) {
      try {
        await this.versions.hold(m.name, m.version, this.hostId, at);
      } catch (error) {
        this.log("warn", `version ${m.version} of orchestration "${m.name}" could not be marked as held by this host (${(error as Error).message})`);
      }
    }
  }

  /** At a clean stop: this host will start nothing on its app's versions any more. */
  async releaseApp(app: App): Promise<void> {
    for (const ms of app.orchestrations.values()) {
      for (const m of ms.values()) {
        if (!isAppVersion(app, m.name, m.version)) continue;
        await this.versions.release(m.name, m.version, this.hostId).catch(() => undefined); // a hold left behind expires
      }
    }
  }

  /** Stores code made elsewhere (the versions a deploy bundle carries), each one not stored yet. */
  async storeAll(entries: readonly StoredCode[]): Promise<void> {
    if (entries.length === 0) return;
    const stored = new Set((await this.versions.list()).map((v) => versionKey(v.name, v.version)));
    for (const e of entries) if (!stored.has(versionKey(e.name, e.version))) await this.versions.put(e);
    await this.hold(entries); // this processor may start instances on them (its container's holds expire when it is gone)
  }

  /**
   * Deletes stored versions that no instance can step on any more and that
   * `app` does not hold. Runs one at a time; a call during a sweep asks for
   * one more after it.
   */
  sweep(store: PartitionStore, app: App): Promise<void> {
    if (this.sweeping) {
      this.sweepAgain = true;
      return this.sweeping;
    }
    this.sweeping = (async () => {
      do {
        this.sweepAgain = false;
        try {
          await this.sweepOnce(store, app);
        } catch (error) {
          this.log("warn", `deleting unused stored versions failed: ${(error as Error).message}`);
        }
      } while (this.sweepAgain);
    })().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  /** Resolves when no sweep is running. */
  settled(): Promise<void> {
    return this.sweeping ?? Promise.resolve();
  }

  private async sweepOnce(store: PartitionStore, app: App): Promise<void> {
    const stored = await this.versions.list();
    if (stored.length === 0) return;
    const use = await liveUse(store);
    const now = this.now();
    for (const v of stored) {
      if (isAppVersion(app, v.name, v.version)) continue;
      if (use.unknown.has(v.name) || use.counts.has(versionKey(v.name, v.version))) continue;
      if (Object.values(v.holders).some((at) => now - at < this.holdGraceMs)) continue; // a live host may start one on it
      await this.versions.delete(v.name, v.version);
    }
  }
}

/** A version the app was given (not one loaded from the store for an instance, which the app also holds). */
function isAppVersion(app: App, name: string, version: string): boolean {
  return app.given.has(versionKey(name, version));
}
