/**
 * `handlers.client`: the client operations of `connect()` behind one Lambda,
 * for other functions, Step Functions or API Gateway. The event is
 * `{ op, ...arguments }`:
 *
 *   { op: "start", orchestration, input?, instanceId? }   -> { instanceId }
 *   { op: "status", instanceId }                          -> status or null
 *   { op: "wait", instanceId, timeoutMs? }                -> status
 *   { op: "raise", instanceId, name, data? }              -> {}
 *   { op: "terminate", instanceId, reason? }              -> {}
 *   { op: "purge", instanceId }                           -> {} (a finished instance)
 *   { op: "signal", entity, key, operation, input? }      -> {}
 *   { op: "readEntity", entity, key }                     -> { state }
 *   { op: "list", filter? }                               -> status[]
 *   { op: "history", instanceId }                         -> { instanceId, steps } (runtime/history.ts)
 *   { op: "upgrade", instanceId | filter, dryRun? }        -> report lines (runtime/upgrade/report.ts)
 *
 * Any Lambda can do the same in process with `connectFromEnv()`. Invariant: an
 * unknown op or a missing argument is an error naming it; nothing is sent then.
 */
import type { Client } from "../client.ts";

export type ClientEvent = { op: string; [argument: string]: unknown };

function need<T>(event: ClientEvent, name: string, type: "string" | "object"): T {
  const value = event[name];
  if (typeof value !== type || value === null) throw new TypeError(`nwc client api: "${event.op}" needs ${name} (a ${type})`);
  return value as T;
}

export async function runClientOperation(client: Client, event: ClientEvent): Promise<unknown> {
  if (typeof event !== "object" || event === null || typeof event.op !== "string") {
    throw new TypeError(`nwc client api: expected { op: "start" | "status" | "wait" | "raise" | "terminate" | "purge" | "signal" | "readEntity" | "list" | "history" | "upgrade", ... }`);
  }
  switch (event.op) {
    case "start": {
      const instanceId = await client.start(need<string>(event, "orchestration", "string"), event.input,
        event.instanceId !== undefined ? { instanceId: need<string>(event, "instanceId", "string") } : {});
      return { instanceId };
    }
    case "status":
      return (await client.status(need<string>(event, "instanceId", "string"))) ?? null;
    case "wait":
      return client.wait(need<string>(event, "instanceId", "string"), typeof event.timeoutMs === "number" ? { timeoutMs: event.timeoutMs } : {});
    case "raise":
      await client.raise(need<string>(event, "instanceId", "string"), need<string>(event, "name", "string"), event.data);
      return {};
    case "terminate":
      await client.terminate(need<string>(event, "instanceId", "string"), event.reason);
      return {};
    case "purge":
      await client.purge(need<string>(event, "instanceId", "string"));
      return {};
    case "signal":
      await client.signal(need<string>(event, "entity", "string"), need<string>(event, "key", "string"), need<string>(event, "operation", "string"), event.input);
      return {};
    case "readEntity":
      return { state: (await client.readEntity(need<string>(event, "entity", "string"), need<string>(event, "key", "string"))) ?? null };
    case "list":
      return client.list((event.filter ?? {}) as Parameters<Client["list"]>[0]);
    case "history":
      return client.history(need<string>(event, "instanceId", "string"));
    case "upgrade": {
      const target = event.instanceId !== undefined ? need<string>(event, "instanceId", "string") : need<object>(event, "filter", "object");
      return client.upgrade(target as string, { to: "latest", dryRun: event.dryRun === true });
    }
    default:
      throw new TypeError(`nwc client api: unknown op ${JSON.stringify(event.op)}; use start, status, wait, raise, terminate, purge, signal, readEntity, list, history or upgrade`);
  }
}
