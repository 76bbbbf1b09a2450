/**
 * Partition leases as items (`lease`) with owner, epoch and expiry, changed only
 * by conditional writes. Invariant: the epoch increases with every change of
 * owner (a takeover of an expired lease, or of a released one), and a write
 * conditioned on a stale view changes nothing: of two hosts racing for one
 * lease, exactly one wins. Expiry uses the host clocks: hosts are assumed to
 * agree within a small fraction of the lease duration.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Lease } from "../../types.ts";
import { withRetry } from "../retry.ts";
import { LEASE_SK, partitionKey } from "./keys.ts";

function isConditionFailed(error: unknown): boolean {
  return (error as { name?: string })?.name === "ConditionalCheckFailedException";
}

export class Leases {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly table: string, private readonly partitionCount: number) {}

  async read(partition: number): Promise<Lease | undefined> {
    const { Item } = await withRetry(`read lease of partition ${partition}`, () =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: partitionKey(partition), sk: LEASE_SK }, ConsistentRead: true })));
    return Item ? { partition, owner: Item.owner, epoch: Item.epoch, expiresAtMs: Item.expiresAtMs } : undefined;
  }

  async acquire(partition: number, owner: string, durationMs: number): Promise<Lease | undefined> {
    this.assertPartition(partition);
    if (typeof owner !== "string" || owner.length === 0) throw new TypeError("acquireLease: owner must be a non-empty string");
    if (!(durationMs > 0)) throw new RangeError("acquireLease: durationMs must be > 0");
    const current = await this.read(partition);
    const now = Date.now();
    const next: Lease = { partition, owner, epoch: 1, expiresAtMs: now + durationMs };
    try {
      if (!current) {
        await withRetry(`create lease of partition ${partition}`, () => this.doc.send(new PutCommand({
          TableName: this.table,
          Item: { pk: partitionKey(partition), sk: LEASE_SK, owner, epoch: 1, expiresAtMs: next.expiresAtMs },
          ConditionExpression: "attribute_not_exists(pk)",
        })));
        return next;
      }
      if (current.owner === owner && current.expiresAtMs > now) return await this.renew(current, durationMs);
      if (current.expiresAtMs > now) return undefined; // held by someone else
      // Expired or released: take it over with a new epoch, if nobody changed it since we read it.
      next.epoch = current.epoch + 1;
      await withRetry(`take over lease of partition ${partition}`, () => this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key: { pk: partitionKey(partition), sk: LEASE_SK },
        UpdateExpression: "SET #owner = :owner, epoch = :next, expiresAtMs = :exp",
        ConditionExpression: "epoch = :seen AND expiresAtMs = :seenExp",
        ExpressionAttributeNames: { "#owner": "owner" },
        ExpressionAttributeValues: { ":owner": owner, ":next": next.epoch, ":exp": next.expiresAtMs, ":seen": current.epoch, ":seenExp": current.expiresAtMs },
      })));
      return next;
    } catch (error) {
      if (isConditionFailed(error)) return undefined; // another host won the race
      throw error;
    }
  }

  /**
   * Takes the lease whatever its expiry, with a new epoch (the previous owner is
   * fenced off). Only for callers that know no other live owner may process the
   * partition: the Lambda event source mapping runs one invocation per shard at
   * a time (ParallelizationFactor 1), so a lease still held belongs to a frozen
   * or dead container. Undefined when another takeover won the race.
   */
  async takeOver(partition: number, owner: string, durationMs: number): Promise<Lease | undefined> {
    this.assertPartition(partition);
    const current = await this.read(partition);
    if (!current) return this.acquire(partition, owner, durationMs);
    const next: Lease = { partition, owner, epoch: current.epoch + 1, expiresAtMs: Date.now() + durationMs };
    try {
      await withRetry(`take over lease of partition ${partition}`, () => this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key: { pk: partitionKey(partition), sk: LEASE_SK },
        UpdateExpression: "SET #owner = :owner, epoch = :next, expiresAtMs = :exp",
        ConditionExpression: "epoch = :seen",
        ExpressionAttributeNames: { "#owner": "owner" },
        ExpressionAttributeValues: { ":owner": owner, ":next": next.epoch, ":exp": next.expiresAtMs, ":seen": current.epoch },
      })));
      return next;
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw error;
    }
  }

  async renew(lease: Lease, durationMs: number): Promise<Lease | undefined> {
    this.assertPartition(lease.partition);
    const expiresAtMs = Date.now() + durationMs;
    try {
      await withRetry(`renew lease of partition ${lease.partition}`, () => this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key: { pk: partitionKey(lease.partition), sk: LEASE_SK },
        UpdateExpression: "SET expiresAtMs = :exp",
        ConditionExpression: "#owner = :owner AND epoch = :epoch",
        ExpressionAttributeNames: { "#owner": "owner" },
        ExpressionAttributeValues: { ":owner": lease.owner, ":epoch": lease.epoch, ":exp": expiresAtMs },
      })));
      return { ...lease, expiresAtMs };
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw error;
    }
  }

  /** Marks the lease expired (keeping its epoch: the next owner bumps it). */
  async release(lease: Lease): Promise<void> {
    try {
      await withRetry(`release lease of partition ${lease.partition}`, () => this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key: { pk: partitionKey(lease.partition), sk: LEASE_SK },
        UpdateExpression: "SET expiresAtMs = :zero",
        ConditionExpression: "#owner = :owner AND epoch = :epoch",
        ExpressionAttributeNames: { "#owner": "owner" },
        ExpressionAttributeValues: { ":owner": lease.owner, ":epoch": lease.epoch, ":zero": 0 },
      })));
    } catch (error) {
      if (!isConditionFailed(error)) throw error; // already lost: nothing to release
    }
  }

  private assertPartition(partition: number): void {
    if (!(Number.isInteger(partition) && partition >= 0 && partition < this.partitionCount)) {
      throw new RangeError(`aws store: no partition ${partition} (there are ${this.partitionCount})`);
    }
  }
}
