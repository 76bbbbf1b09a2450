/**
 * Checkpointed objects (`obj#<key>`, further chunks `objc#<key>#<i>`) and the
 * checkpoint position (`checkpoint`).
 *
 * A checkpoint's objects are written in transactions of at most 100 actions
 * and 4 MB, each carrying the lease-epoch check (so a stale owner can never
 * overwrite a newer owner's objects) and each holding all chunks of the objects
 * it writes (so an object is never half written); the checkpoint position moves
 * last. A crash in between leaves some objects newer than the position says:
 * harmless, because commit records are redo records holding whole new values,
 * and recovery re-applies every commit after the position, ending at the same
 * state. The position itself never moves backwards.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { FencedError, type CheckpointState, type Json, type Lease, type ObjectUpdate } from "../../types.ts";
import { TRANSACT_MAX_ACTIONS, TRANSACT_MAX_BYTES } from "../limits.ts";
import { withRetry } from "../retry.ts";
import { joinChunks, newVersion, splitBytes, toBytes, TornReadError } from "./chunks.ts";
import { itemBytes } from "./commits.ts";
import { assertObjectKey, CHECKPOINT_SK, LEASE_SK, OBJECT_PREFIX, objectChunkSk, objectSk, partitionKey } from "./keys.ts";
import type { Leases } from "./leases.ts";
import type { Item } from "./status.ts";

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]>[number];

/** Reads racing a rewrite of a multi-chunk object: a few re-reads settle it. */
const MAX_TORN_READ_RETRIES = 5;

export class Objects {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly table: string, private readonly leases: Leases) {}

  async writeCheckpoint(lease: Lease, state: CheckpointState, updates: readonly ObjectUpdate[]): Promise<void> {
    const p = lease.partition;
    const pk = partitionKey(p);
    if (!(Number.isInteger(state.logPosition) && state.logPosition >= 0)) throw new RangeError(`writeCheckpoint: logPosition must be an integer >= 0`);
    // Group the writes: every object's items together, each group within one transaction's limits.
    const groups: TransactItem[][] = [];
    let group: TransactItem[] = [];
    let groupBytes = 0;
    // One transaction may not touch an item twice: the last update of a key wins, as it would applied in order.
    const latest = new Map<string, ObjectUpdate>();
    for (const update of updates) latest.set(update.key, update);
    for (const update of latest.values()) {
      assertObjectKey(update.key);
      const items = this.objectActions(pk, update);
      const bytes = items.reduce((sum, a) => sum + (a.Put ? itemBytes(a.Put.Item as Item) : 100), 0);
      if (items.length + 1 > TRANSACT_MAX_ACTIONS || bytes > TRANSACT_MAX_BYTES) {
        throw new RangeError(`writeCheckpoint: object "${update.key}" is ${bytes} bytes, over the ${TRANSACT_MAX_BYTES} bytes one DynamoDB transaction can hold (4 MB less a margin); keep instance state smaller`);
      }
      if (group.length + items.length + 1 > TRANSACT_MAX_ACTIONS || groupBytes + bytes > TRANSACT_MAX_BYTES) {
        groups.push(group);
        group = [];
        groupBytes = 0;
      }
      group.push(...items);
      groupBytes += bytes;
    }
    const position: TransactItem = {
      Update: {
        TableName: this.table, Key: { pk, sk: CHECKPOINT_SK },
        UpdateExpression: state.inputPosition !== undefined ? "SET logPosition = :pos, inputPosition = :ip" : "SET logPosition = :pos REMOVE inputPosition",
        ConditionExpression: "attribute_not_exists(logPosition) OR logPosition <= :pos",
        ExpressionAttributeValues: { ":pos": state.logPosition, ...(state.inputPosition !== undefined ? { ":ip": state.inputPosition } : {}) },
      },
    };
    if (group.length + 2 <= TRANSACT_MAX_ACTIONS) group.push(position);
    else {
      groups.push(group);
      group = [position];
    }
    groups.push(group);
    for (const actions of groups) {
      if (actions.length === 0) continue;
      await this.transact(lease, [this.leaseCheck(lease), ...actions]);
    }
  }

  private objectActions(pk: string, update: ObjectUpdate): TransactItem[] {
    if (update.value === null) return [{ Delete: { TableName: this.table, Key: { pk, sk: objectSk(update.key) } } }];
    const ver = newVersion();
    const chunks = splitBytes(toBytes(update.value));
    return chunks.map((data, i) => ({
      Put: {
        TableName: this.table,
        Item: i === 0 ? { pk, sk: objectSk(update.key), data, n: chunks.length, ver } : { pk, sk: objectChunkSk(update.key, i), data, ver },
      },
    }));
  }

  private leaseCheck(lease: Lease): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.table, Key: { pk: partitionKey(lease.partition), sk: LEASE_SK },
        ConditionExpression: "epoch = :epoch",
        ExpressionAttributeValues: { ":epoch": lease.epoch },
      },
    };
  }

  private async transact(lease: Lease, actions: TransactItem[]): Promise<void> {
    try {
      await withRetry(`writeCheckpoint partition ${lease.partition}`, () => this.doc.send(new TransactWriteCommand({ TransactItems: actions })));
    } catch (error) {
      const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
      if (e.name === "TransactionCanceledException" && e.CancellationReasons?.[0]?.Code === "ConditionalCheckFailed") {
        const current = await this.leases.read(lease.partition);
        throw new FencedError(lease.partition, lease.epoch, current?.epoch ?? lease.epoch);
      }
      if (e.name === "TransactionCanceledException" && e.CancellationReasons?.some((r) => r.Code === "ConditionalCheckFailed")) {
        return; // only the position check failed: a newer checkpoint is already recorded, nothing to move
      }
      throw error;
    }
  }

  async readCheckpointState(partition: number): Promise<CheckpointState> {
    const { Item } = await withRetry(`read checkpoint of partition ${partition}`, () => this.doc.send(new GetCommand({
      TableName: this.table, Key: { pk: partitionKey(partition), sk: CHECKPOINT_SK }, ConsistentRead: true,
    })));
    if (!Item) return { logPosition: 0 };
    return { logPosition: Item.logPosition as number, ...(Item.inputPosition !== undefined ? { inputPosition: Item.inputPosition as string } : {}) };
  }

  async readObject(partition: number, key: string): Promise<Json | undefined> {
    assertObjectKey(key);
    const pk = partitionKey(partition);
    for (let attempt = 0; ; attempt++) {
      const { Item } = await withRetry(`read object ${key}`, () =>
        this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk: objectSk(key) }, ConsistentRead: true })));
      if (!Item) return undefined;
      const chunks: { data?: Uint8Array; ver?: string }[] = [Item];
      for (let i = 1; i < (Item.n as number); i++) {
        const out = await withRetry(`read object chunk ${key}#${i}`, () =>
          this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk: objectChunkSk(key, i) }, ConsistentRead: true })));
        chunks.push(out.Item ?? {});
      }
      try {
        return joinChunks(`object ${key}`, chunks, Item.ver as string) as Json;
      } catch (error) {
        if (!(error instanceof TornReadError) || attempt >= MAX_TORN_READ_RETRIES) throw error;
      }
    }
  }

  async listObjectKeys(partition: number, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await withRetry(`list objects of partition ${partition}`, () => this.doc.send(new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": partitionKey(partition), ":prefix": OBJECT_PREFIX + prefix },
        ProjectionExpression: "sk",
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      })));
      for (const item of out.Items ?? []) keys.push((item.sk as string).slice(OBJECT_PREFIX.length));
      start = out.LastEvaluatedKey;
    } while (start);
    return keys;
  }
}
