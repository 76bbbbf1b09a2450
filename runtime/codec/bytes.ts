/**
 * Binary values: the typed-array constructors the codec knows, Node's
 * `Buffer` when the platform has one, and base64 in both directions (btoa/atob
 * where there is no Buffer: the codec also runs in the browser playground).
 */
import { CodecError } from "./registry.ts";

type ViewCtor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;

export const TYPED_ARRAYS: Record<string, ViewCtor> = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView: DataView as unknown as ViewCtor,
};

/** Node's Buffer, or undefined (browser). Looked up once: the codec never imports node:buffer. */
export const NodeBuffer: { from(data: ArrayBuffer | Uint8Array | string, offsetOrEncoding?: number | string, length?: number): Uint8Array & { toString(e: string): string }; prototype: object } | undefined =
  typeof (globalThis as any).Buffer === "function" ? (globalThis as any).Buffer : undefined;

export function bytesToBase64(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function base64ToBytes(data: unknown): Uint8Array {
  if (typeof data !== "string" || data.length % 4 !== 0 || !BASE64.test(data)) throw new CodecError("cannot decode bytes: not base64 data");
  // Copied out of the Buffer: a decoded ArrayBuffer must be its own, never Node's shared pool.
  if (NodeBuffer) return new Uint8Array(NodeBuffer.from(data, "base64"));
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A decoded Node Buffer: a Buffer where Node's exists, else a Uint8Array of the same bytes. */
export function toNodeBuffer(bytes: Uint8Array): Uint8Array {
  return NodeBuffer ? NodeBuffer.from(bytes) : bytes;
}
