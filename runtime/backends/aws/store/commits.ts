/**
 * The commit log: one commit record per processed batch, stored as items
 * `log#<position>#<chunk>` and appended with ONE TransactWriteItems that also
 *   - checks the partition's lease epoch (a stale owner's commit is refused: FencedError),
 *   - moves the `head` item from position-1 to position with the input position
 *     consumed (so state and input position commit together),
 *   - puts the status index items of the batch, and deletes those of the
 *     instances it purged, when they fit in the same
 *     transaction (100 actions, 4 MB); otherwise they are written right after
 *     the commit (a "deferred" status, flagged on the record), and again by
 *     `readCommits` during recovery should the host have died in between.
 *
 * A retried transaction whose first attempt did commit (the answer was lost)
 * finds its own token on the record at `position` and succeeds: an append is
 * never applied twice and never reported failed when it happened.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { FencedError, type CommitRecord, type Lease } from "../../types.ts";
import { TRANSACT_MAX_ACTIONS, TRANSACT_MAX_BYTES } from "../limits.ts";
import { withRetry } from "../retry.ts";
import { joinChunks, newVersion, splitBytes, toBytes } from "./chunks.ts";
import { HEAD_SK, LEASE_SK, logSk, logSkLast, partitionKey, positionOfLogSk } from "./keys.ts";
import type { Leases } from "./leases.ts";
import { statusItems, type Item, type StatusIndex } from "./status.ts";

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]>[number];

/** Rough size of an item as DynamoDB counts it: attribute names plus values. */
export function itemBytes(item: Item): number {
  let bytes = 0;
  for (const [k, v] of Object.entries(item)) {
    bytes += k.length;
    if (v instanceof Uint8Array) bytes += v.byteLength;
    else if (typeof v === "string") bytes += Buffer.byteLength(v);
    else bytes += 21; // numbers and booleans: at most 21 bytes
  }
  return bytes;
}

export class CommitLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly leases: Leases,
    private readonly status: StatusIndex,
  ) {}

  async append(lease: Lease, record: CommitRecord): Promise<void> {
    const p = lease.partition;
    if (!(Number.isInteger(record.position) && record.position >= 1)) throw new RangeError(`appendCommit: position must be an integer >= 1, got ${record.position}`);
    if (record.epoch !== lease.epoch) throw new Error(`appendCommit: record epoch ${record.epoch} differs from the lease epoch ${lease.epoch}`);
    const token = newVersion();
    const pk = partitionKey(p);
    const chunks = splitBytes(toBytes(record));
    const logItems: Item[] = chunks.map((data, i) => ({ pk, sk: logSk(record.position, i), data, ver: token, ...(i === 0 ? { n: chunks.length } : {}) }));
    const actions: TransactItem[] = [
      {
        ConditionCheck: {
          TableName: this.table, Key: { pk, sk: LEASE_SK },
          ConditionExpression: "epoch = :epoch",
          ExpressionAttributeValues: { ":epoch": lease.epoch },
        },
      },
      {
        Update: {
          TableName: this.table, Key: { pk, sk: HEAD_SK },
          UpdateExpression: record.inputPosition !== undefined ? "SET #last = :pos, inputPosition = :ip" : "SET #last = :pos",
          ConditionExpression: record.position === 1 ? "attribute_not_exists(#last)" : "#last = :prev",
          ExpressionAttributeNames: { "#last": "last" },
          ExpressionAttributeValues: {
            ":pos": record.position,
            ...(record.position === 1 ? {} : { ":prev": record.position - 1 }),
            ...(record.inputPosition !== undefined ? { ":ip": record.inputPosition } : {}),
          },
        },
      },
    ];
    let bytes = 0;
    for (const item of logItems) {
      actions.push({ Put: { TableName: this.table, Item: item } });
      bytes += itemBytes(item);
    }
    if (bytes > TRANSACT_MAX_BYTES) {
      throw new RangeError(
        `appendCommit: partition ${p} commit ${record.position} is ${bytes} bytes, over the ${TRANSACT_MAX_BYTES} bytes one DynamoDB transaction can hold (4 MB less a margin); process smaller batches`,
      );
    }
    // One transaction may not touch an item twice: keep the last status of each instance.
    const lastStatus = new Map(record.statusUpdates.map((s) => [s.instanceId, s]));
    const statusWrites = [...lastStatus.values()].map((s) => ({ record: s, items: statusItems(s) }));
    const statusPuts = statusWrites.flatMap((w) => w.items);
    const statusBytes = statusPuts.reduce((sum, item) => sum + itemBytes(item), 0);
    // A purge removes the instance's status items (read now: the commit that finished it is before this one).
    const statusDeleteKeys: Item[] = [];
    for (const id of record.statusDeletes ?? []) statusDeleteKeys.push(...(await this.status.keysOf(id)));
    const statusActions = statusPuts.length + statusDeleteKeys.length;
    const deferStatus = actions.length + statusActions > TRANSACT_MAX_ACTIONS || bytes + statusBytes > TRANSACT_MAX_BYTES;
    if (deferStatus) logItems[0].deferredStatus = true;
    // Chunks of the statuses these replace, deleted once the commit is in (status.ts).
    const replacedChunks = deferStatus ? [] : await this.status.replacedChunks(statusWrites);
    if (!deferStatus) {
      for (const item of statusPuts) actions.push({ Put: { TableName: this.status.table, Item: item } });
      for (const key of statusDeleteKeys) actions.push({ Delete: { TableName: this.status.table, Key: key } });
    }

    try {
      await withRetry(`appendCommit partition ${p} position ${record.position}`, () =>
        this.doc.send(new TransactWriteCommand({ TransactItems: actions })));
    } catch (error) {
      const reasons = (error as { name?: string; CancellationReasons?: { Code?: string }[] }).name === "TransactionCanceledException"
        ? (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []
        : undefined;
      if (!reasons) throw error;
      if (reasons[0]?.Code === "ConditionalCheckFailed") {
        const current = await this.leases.read(p);
        throw new FencedError(p, lease.epoch, current?.epoch ?? lease.epoch);
      }
      if (reasons[1]?.Code !== "ConditionalCheckFailed") throw error;
      if (!(await this.committedWithToken(p, record.position, token))) {
        const head = await this.head(p);
        throw new Error(`appendCommit: partition ${p} position ${record.position} is not the next one (last committed: ${head.last})`);
      }
      // Our earlier attempt went through: the rest is as after a first-time success.
    }
    if (deferStatus) await this.writeDeferredStatus(record);
    else {
      for (const id of record.statusDeletes ?? []) this.status.forget(id);
      await this.status.dropReplaced(statusWrites, replacedChunks);
    }
  }

  private async writeDeferredStatus(record: CommitRecord): Promise<void> {
    for (const s of record.statusUpdates) await this.status.putIfNewer(s);
    for (const id of record.statusDeletes ?? []) await this.status.deleteIfFinished(id);
  }

  /**
   * Recovery finishes what a crash between a commit and its deferred status writes
   * cut short. A reader without write access (a client reading an entity) skips
   * it: the partition's owner does it when it recovers.
   */
  private async reapplyDeferredStatus(record: CommitRecord): Promise<void> {
    try {
      await this.writeDeferredStatus(record);
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name !== "AccessDeniedException" && name !== "UnrecognizedClientException") throw error;
    }
  }

  private async committedWithToken(partition: number, position: number, token: string): Promise<boolean> {
    const { Item } = await withRetry(`read commit ${position}`, () => this.doc.send(new GetCommand({
      TableName: this.table, Key: { pk: partitionKey(partition), sk: logSk(position, 0) }, ConsistentRead: true,
    })));
    return Item?.ver === token;
  }

  async head(partition: number): Promise<{ last: number; inputPosition?: string }> {
    const { Item } = await withRetry(`read head of partition ${partition}`, () => this.doc.send(new GetCommand({
      TableName: this.table, Key: { pk: partitionKey(partition), sk: HEAD_SK }, ConsistentRead: true,
    })));
    return { last: (Item?.last as number) ?? 0, ...(Item?.inputPosition !== undefined ? { inputPosition: Item.inputPosition as string } : {}) };
  }

  async read(partition: number, after: number): Promise<CommitRecord[]> {
    if (!(Number.isInteger(after) && after >= 0)) throw new RangeError(`readCommits: after must be an integer >= 0, got ${after}`);
    const items = await this.query(partition, logSk(after + 1, 0), logSkLast(Number.MAX_SAFE_INTEGER), false);
    const records: CommitRecord[] = [];
    let group: Item[] = [];
    const flush = async () => {
      if (group.length === 0) return;
      const first = group[0];
      const { position } = positionOfLogSk(first.sk as string);
      if (group.length !== first.n) throw new Error(`readCommits: partition ${partition} commit ${position} has ${group.length} of ${String(first.n)} chunks`);
      const record = joinChunks(`commit ${position}`, group as { data?: Uint8Array; ver?: string }[], first.ver as string) as CommitRecord;
      if (first.deferredStatus) await this.reapplyDeferredStatus(record);
      records.push(record);
      group = [];
    };
    for (const item of items) {
      const { position, chunk } = positionOfLogSk(item.sk as string);
      if (chunk === 0) await flush();
      else if (group.length === 0 || positionOfLogSk(group[0].sk as string).position !== position) {
        throw new Error(`readCommits: partition ${partition} commit ${position} lacks its first chunk`);
      }
      group.push(item);
    }
    await flush();
    for (let i = 1; i < records.length; i++) {
      if (records[i].position !== records[i - 1].position + 1) throw new Error(`readCommits: partition ${partition} log has a gap after ${records[i - 1].position}`);
    }
    return records;
  }

  /** Deletes commit items at or below `upTo`; returns their keys' count. */
  async trim(partition: number, upTo: number, deleteKeys: (keys: Item[]) => Promise<void>): Promise<void> {
    if (!(Number.isInteger(upTo) && upTo >= 0)) throw new RangeError(`trimCommits: upTo must be an integer >= 0`);
    if (upTo === 0) return;
    const keys = await this.query(partition, logSk(0, 0), logSkLast(upTo), true);
    await deleteKeys(keys.map((k) => ({ pk: k.pk, sk: k.sk })));
  }

  private async query(partition: number, from: string, to: string, keysOnly: boolean): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await withRetry(`query log of partition ${partition}`, () => this.doc.send(new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
        ExpressionAttributeValues: { ":pk": partitionKey(partition), ":from": from, ":to": to },
        ConsistentRead: true,
        ...(keysOnly ? { ProjectionExpression: "pk, sk" } : {}),
        ...(start ? { ExclusiveStartKey: start } : {}),
      })));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
