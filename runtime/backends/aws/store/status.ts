/**
 * The instance status index (status table): one item per instance id with the
 * attributes clients filter on (name, status, createdAt, updatedAt) and the
 * whole record as JSON bytes. A record over one item's size continues in chunk
 * items keyed by (id, version, i), so a chunk is never overwritten and a reader
 * follows exactly the version the main item names.
 *
 * Invariant: a status written outside a commit transaction (a deferred write,
 * or one re-applied during recovery) never replaces a newer one (condition on
 * updatedAt); inside the commit it is simply the newest.
 *
 * Chunks of a replaced version are deleted once the newer main item is
 * written (`replacedChunks` before the write, `dropReplaced` after it), and
 * chunks written for a status that lost to a newer one at once: a large
 * status rewritten again and again (a custom status of 200 KB set in a loop)
 * does not leave a chunk per write behind. The writer remembers the chunks
 * of the large statuses it wrote; a large status it has not seen (after a
 * take-over) is read once before being replaced. Left behind, known: the
 * chunks of a large status replaced by a small one after a take-over, and
 * those of a write cut short by a crash between the main item and the
 * deletes (a reader never sees them: it follows the version the main item
 * names).
 */
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { InstanceStatusRecord, StatusFilter } from "../../types.ts";
import { withRetry } from "../retry.ts";
import { joinChunks, newVersion, splitBytes, toBytes, TornReadError } from "./chunks.ts";
import { statusChunkId } from "./keys.ts";

export type Item = Record<string, unknown>;

export function statusItems(record: InstanceStatusRecord): Item[] {
  if (typeof record.instanceId !== "string" || record.instanceId.length === 0 || record.instanceId.includes("\u0000")) {
    throw new TypeError(`aws store: instance id ${JSON.stringify(record.instanceId)} must be a non-empty string without NUL`);
  }
  const ver = newVersion();
  const chunks = splitBytes(toBytes(record));
  const main: Item = {
    id: record.instanceId, name: record.name, status: record.status, createdAt: record.createdAt, updatedAt: record.updatedAt,
    data: chunks[0], n: chunks.length, ver,
  };
  const extra = chunks.slice(1).map((data, i) => ({ id: statusChunkId(`${record.instanceId}\u0000${ver}`, i + 1), part: i + 1, data, ver }));
  return [...extra, main];
}

/** Status reads racing a write of a multi-chunk status: a few re-reads settle it. */
const MAX_TORN_READ_RETRIES = 5;

/** Large statuses whose chunks a writer remembers; past this, the oldest are forgotten (and read again if replaced). */
const MAX_REMEMBERED_CHUNKED = 10_000;

/** The keys of a status's chunk items, from its items as written (statusItems: chunks first, the main item last). */
const chunkKeysOf = (items: Item[]): Item[] => items.slice(0, -1).map((item) => ({ id: item.id }));

export class StatusIndex {
  /** Instance id -> the chunk keys of the multi-chunk status this process wrote or read last for it. */
  private readonly chunked = new Map<string, Item[]>();

  constructor(private readonly doc: DynamoDBDocumentClient, readonly table: string) {}

  /**
   * Before `items` (statusItems of each record) are written: the chunk keys of the versions
   * they replace. Remembered ones at no cost; one read for a large status not seen before.
   */
  async replacedChunks(writes: { record: InstanceStatusRecord; items: Item[] }[]): Promise<Item[]> {
    const out: Item[] = [];
    for (const { record, items } of writes) {
      const known = this.chunked.get(record.instanceId);
      if (known) out.push(...known);
      else if (items.length > 1) out.push(...(await this.keysOf(record.instanceId)).slice(0, -1));
    }
    return out;
  }

  /**
   * After the writes went in: deletes the replaced chunks and remembers the new ones. Never
   * throws: the write it follows happened, and a chunk no main item names is only garbage.
   */
  async dropReplaced(writes: { record: InstanceStatusRecord; items: Item[] }[], replaced: Item[]): Promise<void> {
    for (const { record, items } of writes) this.remember(record.instanceId, items);
    const current = new Set(writes.flatMap(({ items }) => chunkKeysOf(items).map((k) => k.id)));
    await this.deleteKeys(replaced.filter((k) => !current.has(k.id)), "replaced status chunk").catch(() => undefined);
  }

  private remember(instanceId: string, items: Item[]): void {
    this.chunked.delete(instanceId);
    if (items.length <= 1) return;
    this.chunked.set(instanceId, chunkKeysOf(items));
    if (this.chunked.size > MAX_REMEMBERED_CHUNKED) this.chunked.delete(this.chunked.keys().next().value!);
  }

  private async deleteKeys(keys: Item[], what: string): Promise<void> {
    for (const key of keys) await withRetry(`delete ${what}`, () => this.doc.send(new DeleteCommand({ TableName: this.table, Key: key })));
  }

  /** Writes a status outside a transaction, unless the stored one is newer. */
  async putIfNewer(record: InstanceStatusRecord): Promise<void> {
    const items = statusItems(record);
    const main = items[items.length - 1];
    const writes = [{ record, items }];
    const replaced = await this.replacedChunks(writes);
    for (const chunk of items.slice(0, -1)) {
      await withRetry(`write status chunk of ${record.instanceId}`, () => this.doc.send(new PutCommand({ TableName: this.table, Item: chunk })));
    }
    try {
      await withRetry(`write status of ${record.instanceId}`, () => this.doc.send(new PutCommand({
        TableName: this.table,
        Item: main,
        ConditionExpression: "attribute_not_exists(id) OR updatedAt <= :u",
        ExpressionAttributeValues: { ":u": record.updatedAt },
      })));
    } catch (error) {
      if ((error as { name?: string }).name !== "ConditionalCheckFailedException") throw error;
      // A newer status is stored: the chunks just written belong to no main item.
      await this.deleteKeys(chunkKeysOf(items), "status chunk of a status that lost to a newer one").catch(() => undefined);
      return;
    }
    await this.dropReplaced(writes, replaced);
  }

  /** The keys of an instance's status items (its chunks, then the main item); none if it has no status. */
  async keysOf(instanceId: string): Promise<Item[]> {
    const { Item } = await withRetry(`read status of ${instanceId}`, () =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: { id: instanceId }, ConsistentRead: true })));
    if (!Item || Item.part !== undefined) return [];
    const chunks = Array.from({ length: Math.max(0, (Item.n as number) - 1) }, (_, i) => ({ id: statusChunkId(`${instanceId}\u0000${Item.ver}`, i + 1) }));
    return [...chunks, { id: instanceId }];
  }

  /**
   * Deletes a purged instance's status outside a commit transaction (a deferred delete, or
   * one re-applied during recovery): only a finished one, so that an instance started
   * again under the same id since the purge keeps its row.
   */
  async deleteIfFinished(instanceId: string): Promise<void> {
    const keys = await this.keysOf(instanceId);
    if (keys.length === 0) return;
    try {
      await withRetry(`delete status of ${instanceId}`, () => this.doc.send(new DeleteCommand({
        TableName: this.table, Key: { id: instanceId },
        ConditionExpression: "#status IN (:c, :f, :t)",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":c": "Completed", ":f": "Failed", ":t": "Terminated" },
      })));
    } catch (error) {
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") return;
      throw error;
    }
    this.chunked.delete(instanceId);
    await this.deleteKeys(keys.slice(0, -1), `status chunk of ${instanceId}`);
  }

  /** A purge in a commit transaction deleted the instance's items: nothing of it is left to remember. */
  forget(instanceId: string): void {
    this.chunked.delete(instanceId);
  }

  async read(instanceId: string): Promise<InstanceStatusRecord | undefined> {
    if (typeof instanceId !== "string" || instanceId.length === 0) throw new TypeError("readStatus: instanceId must be a non-empty string");
    for (let attempt = 0; ; attempt++) {
      const { Item } = await withRetry(`read status of ${instanceId}`, () =>
        this.doc.send(new GetCommand({ TableName: this.table, Key: { id: instanceId }, ConsistentRead: true })));
      if (!Item || Item.part !== undefined) return undefined;
      try {
        return await this.decode(Item);
      } catch (error) {
        if (!(error instanceof TornReadError) || attempt >= MAX_TORN_READ_RETRIES) throw error;
      }
    }
  }

  private async decode(item: Item): Promise<InstanceStatusRecord> {
    const n = item.n as number;
    const chunks = [item as { data?: Uint8Array; ver?: string }];
    for (let i = 1; i < n; i++) {
      const { Item } = await withRetry(`read status chunk`, () => this.doc.send(new GetCommand({
        TableName: this.table, Key: { id: statusChunkId(`${item.id}\u0000${item.ver}`, i) }, ConsistentRead: true,
      })));
      chunks.push((Item ?? {}) as { data?: Uint8Array; ver?: string });
    }
    return joinChunks(`status of ${String(item.id)}`, chunks, item.ver as string) as InstanceStatusRecord;
  }

  /**
   * A Scan with the filter as a FilterExpression, then sorted by (createdAt,
   * instanceId). A Scan reads the whole table: fine for operators' queries on
   * the scale this serves; a GSI on (name, createdAt) is the step up.
   */
  async list(filter: StatusFilter): Promise<InstanceStatusRecord[]> {
    const conditions = ["attribute_not_exists(part)"];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    if (filter.name !== undefined) {
      conditions.push("#name = :name");
      names["#name"] = "name";
      values[":name"] = filter.name;
    }
    if (filter.status && filter.status.length > 0) {
      names["#status"] = "status";
      conditions.push(`#status IN (${filter.status.map((s, i) => { values[`:s${i}`] = s; return `:s${i}`; }).join(", ")})`);
    }
    if (filter.createdFrom !== undefined) {
      conditions.push("createdAt >= :from");
      values[":from"] = filter.createdFrom;
    }
    if (filter.createdTo !== undefined) {
      conditions.push("createdAt <= :to");
      values[":to"] = filter.createdTo;
    }
    if (filter.instanceIdPrefix !== undefined && filter.instanceIdPrefix !== "") {
      conditions.push("begins_with(id, :prefix)");
      values[":prefix"] = filter.instanceIdPrefix;
    }
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await withRetry("list statuses", () => this.doc.send(new ScanCommand({
        TableName: this.table,
        FilterExpression: conditions.join(" AND "),
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      })));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    items.sort((a, b) => (a.createdAt as number) - (b.createdAt as number) || String(a.id).localeCompare(String(b.id)));
    const limited = filter.limit !== undefined ? items.slice(0, filter.limit) : items;
    const out: InstanceStatusRecord[] = [];
    for (const item of limited) {
      try {
        out.push(await this.decode(item));
      } catch (error) {
        if (!(error instanceof TornReadError)) throw error;
        const record = await this.read(item.id as string); // rewritten while we scanned: take the newest
        if (record) out.push(record);
      }
    }
    return out;
  }
}
