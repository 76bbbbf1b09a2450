/**
 * VersionStore of the local backend: one file per version under
 * `<store dir>/versions/`, named `<name>@<version>.json` (the name
 * URI-encoded), holding `{ name, version, storedAt, code }`, written
 * atomically (temp file, fsync, rename, directory fsync).
 *
 * Invariant: once `put` resolves the version survives kill -9; a reader sees
 * a whole file or none. A file that is not valid JSON is reported by `get`
 * as damaged (the instance is then suspended with that reason), never
 * replaced silently.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { fsyncDir, writeAtomic } from "../backends/local/files.ts";
import { assertVersionId, sortVersions, utf8Bytes, type StoredVersionInfo, type VersionStore } from "./store.ts";

interface VersionFile {
  name: string;
  version: string;
  storedAt: number;
  /** StoredVersionInfo.holders (absent in a file no host has held). */
  holders?: Record<string, number>;
  code: string;
}

const SUFFIX = ".json";

export class LocalVersionStore implements VersionStore {
  readonly dir: string;

  constructor(storeDir: string) {
    this.dir = join(storeDir, "versions");
  }

  private file(name: string, version: string): string {
    return join(this.dir, `${encodeURIComponent(name)}@${version}${SUFFIX}`);
  }

  async put(entry: { name: string; version: string; code: string }): Promise<void> {
    assertVersionId(entry.name, entry.version);
    const path = this.file(entry.name, entry.version);
    if (existsSync(path)) return;
    mkdirSync(this.dir, { recursive: true });
    const body: VersionFile = { name: entry.name, version: entry.version, storedAt: Date.now(), code: entry.code };
    writeAtomic(path, JSON.stringify(body));
  }

  async get(name: string, version: string): Promise<string | undefined> {
    return this.read(name, version)?.code;
  }

  private read(name: string, version: string): VersionFile | undefined {
    assertVersionId(name, version);
    const path = this.file(name, version);
    if (!existsSync(path)) return undefined;
    const text = readFileSync(path, "utf8");
    let parsed: VersionFile;
    try {
      parsed = JSON.parse(text) as VersionFile;
    } catch (error) {
      throw new Error(`the stored version file ${path} is damaged (${(error as Error).message})`);
    }
    if (typeof parsed?.code !== "string") throw new Error(`the stored version file ${path} is damaged (it has no code)`);
    return parsed;
  }

  /** Read, change the holders, write atomically: processes sharing the directory race only on holders, which each host writes again every few minutes. */
  private updateHolders(name: string, version: string, change: (holders: Record<string, number>) => void): boolean {
    let file: VersionFile | undefined;
    try {
      file = this.read(name, version);
    } catch {
      return true; // damaged: kept as it is, to be seen and deleted
    }
    if (!file) return false;
    const holders = { ...(file.holders ?? {}) };
    change(holders);
    writeAtomic(this.file(name, version), JSON.stringify({ ...file, holders }));
    return true;
  }

  async hold(name: string, version: string, hostId: string, at: number): Promise<boolean> {
    return this.updateHolders(name, version, (h) => void (h[hostId] = at));
  }

  async release(name: string, version: string, hostId: string): Promise<void> {
    this.updateHolders(name, version, (h) => void delete h[hostId]);
  }

  async list(): Promise<StoredVersionInfo[]> {
    if (!existsSync(this.dir)) return [];
    const out: StoredVersionInfo[] = [];
    for (const entry of readdirSync(this.dir)) {
      if (!entry.endsWith(SUFFIX)) continue; // temp files of a write in progress
      const at = entry.lastIndexOf("@");
      const name = decodeURIComponent(entry.slice(0, at));
      const version = entry.slice(at + 1, -SUFFIX.length);
      let storedAt = 0;
      let bytes = 0;
      let holders: Record<string, number> = {};
      try {
        const parsed = JSON.parse(readFileSync(join(this.dir, entry), "utf8")) as VersionFile;
        storedAt = parsed.storedAt;
        bytes = utf8Bytes(parsed.code);
        holders = parsed.holders ?? {};
      } catch {
        // Damaged: still listed (by its file name), so that it can be seen and deleted.
      }
      out.push({ name, version, storedAt, bytes, holders });
    }
    return sortVersions(out);
  }

  async delete(name: string, version: string): Promise<void> {
    assertVersionId(name, version);
    const path = this.file(name, version);
    if (!existsSync(path)) return;
    unlinkSync(path);
    fsyncDir(this.dir);
  }
}
