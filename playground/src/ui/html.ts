/** Small helpers the dashboard's views share to build markup safely. */

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function json(v: unknown): string {
  return v === undefined ? "(none)" : JSON.stringify(v, null, 2);
}

export function formatTime(t: number | string | undefined): string {
  if (t === undefined) return "";
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toLocaleTimeString();
}

/** A link that opens an instance in the dashboard (the hash is the dashboard's address of an instance). */
export function instanceLink(instanceId: string): string {
  return `<a class="instance-link" href="${esc(instanceHash(instanceId))}" data-id="${esc(instanceId)}">${esc(instanceId)}</a>`;
}

export function instanceHash(instanceId: string): string {
  return `#instance=${encodeURIComponent(instanceId)}`;
}

/** The instance id a location hash names, if any. */
export function instanceOfHash(hash: string): string | undefined {
  const m = /^#instance=(.+)$/.exec(hash);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
}

/** Parses a JSON text field; empty means `empty`. Throws an Error naming the field. */
export function parseJsonField(text: string, field: string, empty: unknown): unknown {
  if (text.trim() === "") return empty;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${field} is not valid JSON: ${(e as Error).message}`);
  }
}
