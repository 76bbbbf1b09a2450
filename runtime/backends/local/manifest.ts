/**
 * `manifest.json` of a partition: which checkpoint files and log segments
 * must exist, so that a deleted file is told from one that never was
 * ("never checkpointed" vs "checkpoint deleted", "log ends here" vs "last
 * segment deleted"). Sealed (sealed-json.ts) and replaced atomically.
 *
 * Written when a checkpoint is written and when the log starts a segment
 * (both rare: never per commit). Each field is a lower bound the files must
 * meet; files newer than the manifest (a crash right before it was rewritten)
 * are fine, so the manifest may lag, never lead.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { StoreCorrupted } from "../errors.ts";
import { writeAtomic } from "./files.ts";
import { openSealedJson, sealJson } from "./sealed-json.ts";

export const MANIFEST_FILE = "manifest.json";

export interface Manifest {
  format: 1;
  /** Log position of `checkpoint.json`, or null if none was written. */
  snapshot: number | null;
  /** Log position of the latest checkpoint (snapshot or delta); 0 if none. */
  checkpoint: number;
  /** First positions of the log segments written (trimmed ones may be gone if checkpointed). */
  segments: number[];
}

function recovery(path: string): string {
  return `the manifest only lists which files must exist: if the other files of ${join(path, "..")} are intact (e.g. restored from a backup), delete ${path}; it is rebuilt from the files present (a missing file then goes unnoticed once)`;
}

/** The partition's manifest, or undefined if it has none (a store written before manifests, or the file was deleted: rebuilt from the files). */
export function readManifest(dir: string): Manifest | undefined {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) return undefined;
  const { body, sealed } = openSealedJson<Manifest>(path, readFileSync(path, "utf8"), recovery(path));
  const ok =
    sealed &&
    body.format === 1 &&
    (body.snapshot === null || Number.isSafeInteger(body.snapshot)) &&
    Number.isSafeInteger(body.checkpoint) &&
    Array.isArray(body.segments) &&
    body.segments.every((s) => Number.isSafeInteger(s));
  if (!ok) throw new StoreCorrupted(path, "not a manifest (fields missing or of the wrong type)", recovery(path));
  return body;
}

export function writeManifest(dir: string, manifest: Omit<Manifest, "format">): void {
  writeAtomic(join(dir, MANIFEST_FILE), sealJson({ format: 1, snapshot: manifest.snapshot, checkpoint: manifest.checkpoint, segments: manifest.segments }));
}
