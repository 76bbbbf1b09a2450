/**
 * Payload limits: every user value that is persisted or sent (inputs,
 * outputs, event data, activity results, entity states) is encoded with the
 * codec and must fit MAX_PAYLOAD_BYTES.
 *
 * Why 256 KiB: a commit record carries many payloads and the aws backend
 * stores it in DynamoDB items (400 KB each) and Kinesis records (1 MiB); one
 * payload must leave room for the rest of its batch.
 */
import type { Json } from "../backends/types.ts";
import { encode, errorInfo } from "../codec.ts";
import type { ErrorInfo } from "../machine.ts";

export const MAX_PAYLOAD_BYTES = 256 * 1024;

export type PayloadCheck = { ok: true; json: Json } | { ok: false; error: ErrorInfo };

export class PayloadError extends TypeError {
  constructor(message: string, name = "PayloadError") {
    super(message);
    this.name = name;
  }
}

/** Encodes `value` and checks its size; `what` names it in the error ("the input of ..."). */
export function checkPayload(value: unknown, what: string): PayloadCheck {
  let json: Json;
  try {
    json = encode(value);
  } catch (error) {
    return { ok: false, error: { name: "PayloadError", message: `${what} cannot be serialized: ${errorInfo(error).message}` } };
  }
  // Scalars need no text: a JSON string escapes a UTF-16 unit to at most 6 bytes (\uXXXX).
  if (json === null || typeof json === "number" || typeof json === "boolean") return { ok: true, json };
  if (typeof json === "string" && json.length * 6 + 2 <= MAX_PAYLOAD_BYTES) return { ok: true, json };
  const text = JSON.stringify(json);
  // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4): a short text cannot be over.
  if (text.length * 3 <= MAX_PAYLOAD_BYTES) return { ok: true, json };
  const bytes = utf8Length(text);
  if (bytes > MAX_PAYLOAD_BYTES) {
    return {
      ok: false,
      error: {
        name: "PayloadTooLarge",
        message: `${what} is ${bytes} bytes encoded; the limit is ${MAX_PAYLOAD_BYTES} bytes (256 KiB): store large data elsewhere and pass a reference`,
      },
    };
  }
  return { ok: true, json };
}

/** checkPayload that throws (client side: bad input changes nothing). */
export function encodePayload(value: unknown, what: string): Json {
  const r = checkPayload(value, what);
  if (!r.ok) throw new PayloadError(r.error.message, r.error.name);
  return r.json;
}

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
