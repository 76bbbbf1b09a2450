/**
 * JSON files with their checksum inside (checkpoints, deltas, the manifest,
 * `lease.json`): the text is the body's JSON with a last field
 * `"crc32": <CRC-32 of the body's JSON>`, so the files stay readable and a
 * flipped bit, an edited digit or a cut anywhere is detected.
 *
 * Invariant: `openSealedJson` returns a body only if the text is exactly what
 * `sealJson` wrote for it (JSON.stringify of a parsed JSON value gives back the
 * same text); anything else throws StoreCorrupted naming the file.
 */
import { StoreCorrupted } from "../errors.ts";
import { crc32 } from "./crc32.ts";

const FIELD = "crc32";

export function sealJson(body: Record<string, unknown>): string {
  if (FIELD in body) throw new TypeError(`sealJson: the body must not have a "${FIELD}" field`);
  const text = JSON.stringify(body);
  const crc = crc32(Buffer.from(text, "utf8"));
  return text === "{}" ? `{"${FIELD}":${crc}}` : `${text.slice(0, -1)},"${FIELD}":${crc}}`;
}

export type Opened<T> = { body: T; sealed: true } | { body: T; sealed: false };

/**
 * Parses and checks a sealed file's text. A text without the checksum field is
 * returned as `sealed: false` (a file written before checksums existed); the
 * caller decides whether that may be.
 */
export function openSealedJson<T>(path: string, text: string, recovery: string): Opened<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StoreCorrupted(path, `not valid JSON (${(error as Error).message}; ${text.length} characters)`, recovery);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new StoreCorrupted(path, "not a JSON object", recovery);
  const record = parsed as Record<string, unknown>;
  if (!(FIELD in record)) return { body: record as T, sealed: false };
  const stored = record[FIELD];
  delete record[FIELD];
  const body = JSON.stringify(record);
  if (stored !== crc32(Buffer.from(body, "utf8"))) throw new StoreCorrupted(path, "checksum mismatch (the content was changed after it was written)", recovery);
  return { body: record as T, sealed: true };
}
