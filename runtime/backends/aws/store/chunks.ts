/**
 * Splitting a JSON document over several DynamoDB items (each at most 400 KB)
 * and joining it back. Invariant: chunks carry the version of the write that
 * made them, and a join refuses chunks of different versions (a torn read), so
 * a reader sees a whole document or retries, never a mix.
 */
import { DYNAMO_CHUNK_BYTES } from "../limits.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function toBytes(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function splitBytes(bytes: Uint8Array, chunkBytes = DYNAMO_CHUNK_BYTES): Uint8Array[] {
  if (bytes.byteLength === 0) return [bytes];
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += chunkBytes) out.push(bytes.subarray(at, Math.min(at + chunkBytes, bytes.byteLength)));
  return out;
}

export class TornReadError extends Error {
  constructor(what: string) {
    super(`${what}: chunks of different versions (a concurrent write); read again`);
    this.name = "TornReadError";
  }
}

/** Joins chunk payloads (in order) that must all carry `version`. */
export function joinChunks(what: string, chunks: { data?: Uint8Array; ver?: string }[], version: string | undefined): unknown {
  let length = 0;
  for (const c of chunks) {
    if (!c.data || c.ver !== version) throw new TornReadError(what);
    length += c.data.byteLength;
  }
  const all = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    all.set(c.data!, at);
    at += c.data!.byteLength;
  }
  return JSON.parse(decoder.decode(all));
}

export function newVersion(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
