/** VersionStore in memory, kept by the memory backend object so a host restarted on the same backend finds it. */
import { assertVersionId, sortVersions, utf8Bytes, versionKey, type StoredVersionInfo, type VersionStore } from "./store.ts";

export class MemoryVersionStore implements VersionStore {
  private readonly entries = new Map<string, { info: StoredVersionInfo; code: string }>();

  constructor(private readonly now: () => number = Date.now) {}

  async put(entry: { name: string; version: string; code: string }): Promise<void> {
    assertVersionId(entry.name, entry.version);
    const key = versionKey(entry.name, entry.version);
    if (this.entries.has(key)) return;
    this.entries.set(key, { info: { name: entry.name, version: entry.version, storedAt: this.now(), bytes: utf8Bytes(entry.code), holders: {} }, code: entry.code });
  }

  async get(name: string, version: string): Promise<string | undefined> {
    return this.entries.get(versionKey(name, version))?.code;
  }

  async list(): Promise<StoredVersionInfo[]> {
    return sortVersions([...this.entries.values()].map((e) => ({ ...e.info, holders: { ...e.info.holders } })));
  }

  async delete(name: string, version: string): Promise<void> {
    this.entries.delete(versionKey(name, version));
  }

  async hold(name: string, version: string, hostId: string, at: number): Promise<boolean> {
    const e = this.entries.get(versionKey(name, version));
    if (e) e.info.holders[hostId] = at;
    return !!e;
  }

  async release(name: string, version: string, hostId: string): Promise<void> {
    delete this.entries.get(versionKey(name, version))?.info.holders[hostId];
  }

  /** Replaces the stored code as it is (tests: a damaged version). */
  damage(name: string, version: string, code: string): void {
    const e = this.entries.get(versionKey(name, version));
    if (!e) throw new Error(`no stored version ${versionKey(name, version)}`);
    e.code = code;
  }
}
