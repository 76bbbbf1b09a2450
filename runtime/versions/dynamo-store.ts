/**
 * VersionStore of the aws backend: items of the partitions table under their
 * own partition key, so no table, permission or template changes:
 *
 *   pk "versions", sk "vh#<name>#<version>"       head: name, version, storedAt, bytes, chunks
 *   pk "versions", sk "vc#<name>#<version>#<i>"   the code, UTF-8, in chunks under the 400 KB item limit
 *   pk "versions", sk "vo#<name>#<version>#<host>" a host that holds it: at (StoredVersionInfo.holders)
 *
 * Invariant: the head is written after every chunk and deleted before them,
 * so a reader that finds a head finds the whole code (a crash in between
 * leaves chunks without a head: invisible, overwritten by the next put).
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DYNAMO_CHUNK_BYTES } from "../backends/aws/limits.ts";
import { withRetry } from "../backends/aws/retry.ts";
import { assertVersionId, sortVersions, type StoredVersionInfo, type VersionStore } from "./store.ts";

const PK = "versions";
const headSk = (name: string, version: string) => `vh#${name}#${version}`;
const chunkPrefix = (name: string, version: string) => `vc#${name}#${version}#`;
const holderPrefix = (name: string, version: string) => `vo#${name}#${version}#`;
const chunkSk = (name: string, version: string, i: number) => `${chunkPrefix(name, version)}${String(i).padStart(4, "0")}`;

interface Head {
  name: string;
  version: string;
  storedAt: number;
  bytes: number;
  chunks: number;
}

export class DynamoVersionStore implements VersionStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly table: string) {}

  async put(entry: { name: string; version: string; code: string }): Promise<void> {
    assertVersionId(entry.name, entry.version);
    if (await this.head(entry.name, entry.version)) return;
    const bytes = new TextEncoder().encode(entry.code);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.byteLength || chunks.length === 0; at += DYNAMO_CHUNK_BYTES) chunks.push(bytes.subarray(at, at + DYNAMO_CHUNK_BYTES));
    for (const [i, data] of chunks.entries()) {
      await withRetry("versions PutItem", () => this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: PK, sk: chunkSk(entry.name, entry.version, i), data } })));
    }
    const head: Head = { name: entry.name, version: entry.version, storedAt: Date.now(), bytes: bytes.byteLength, chunks: chunks.length };
    // Two hosts storing at once: the first head stays (its storedAt), the code is the same.
    await withRetry("versions PutItem", () =>
      this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: PK, sk: headSk(entry.name, entry.version), ...head }, ConditionExpression: "attribute_not_exists(pk)" })),
    ).catch((error) => {
      if ((error as Error)?.name !== "ConditionalCheckFailedException") throw error;
    });
  }

  async get(name: string, version: string): Promise<string | undefined> {
    assertVersionId(name, version);
    const head = await this.head(name, version);
    if (!head) return undefined;
    const items = await this.chunks(name, version, false);
    const parts = items.slice(0, head.chunks).map((i) => i.data as Uint8Array);
    const length = parts.reduce((n, p) => n + p.byteLength, 0);
    if (parts.length !== head.chunks || length !== head.bytes) {
      throw new Error(`the stored code of ${name}@${version} is damaged: ${parts.length} of ${head.chunks} chunks, ${length} of ${head.bytes} bytes`);
    }
    const all = new Uint8Array(length);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.byteLength;
    }
    return new TextDecoder().decode(all);
  }

  async list(): Promise<StoredVersionInfo[]> {
    const items = await this.query("vh#");
    const holds = await this.query("vo#");
    return sortVersions(items.map((i) => {
      const name = i.name as string, version = i.version as string;
      const holders: Record<string, number> = {};
      for (const h of holds) if (h.name === name && h.version === version) holders[h.host as string] = Number(h.at);
      return { name, version, storedAt: Number(i.storedAt), bytes: Number(i.bytes), holders };
    }));
  }

  async hold(name: string, version: string, hostId: string, at: number): Promise<boolean> {
    assertVersionId(name, version);
    if (!(await this.head(name, version))) return false;
    await withRetry("versions PutItem", () => this.doc.send(new PutCommand({
      TableName: this.table, Item: { pk: PK, sk: `${holderPrefix(name, version)}${hostId}`, name, version, host: hostId, at },
    })));
    return true;
  }

  async release(name: string, version: string, hostId: string): Promise<void> {
    assertVersionId(name, version);
    await withRetry("versions DeleteItem", () => this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: PK, sk: `${holderPrefix(name, version)}${hostId}` } })));
  }

  async delete(name: string, version: string): Promise<void> {
    assertVersionId(name, version);
    await withRetry("versions DeleteItem", () => this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: PK, sk: headSk(name, version) } })));
    for (const item of (await this.query(holderPrefix(name, version))).filter((i) => i.name === name && i.version === version)) {
      await withRetry("versions DeleteItem", () => this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: PK, sk: item.sk } })));
    }
    for (const item of await this.chunks(name, version, true)) {
      await withRetry("versions DeleteItem", () => this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: PK, sk: item.sk } })));
    }
  }

  private async head(name: string, version: string): Promise<Head | undefined> {
    const out = await withRetry("versions GetItem", () => this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: PK, sk: headSk(name, version) }, ConsistentRead: true })));
    return out.Item as Head | undefined;
  }

  /** The chunks of exactly this version (a name holding "#" may share a prefix with another's). */
  private async chunks(name: string, version: string, keysOnly: boolean): Promise<Record<string, unknown>[]> {
    const prefix = chunkPrefix(name, version);
    const items = await this.query(prefix, keysOnly);
    return items.filter((i) => /^\d{4}$/.test((i.sk as string).slice(prefix.length)));
  }

  private async query(prefix: string, keysOnly = false): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await withRetry("versions Query", () =>
        this.doc.send(new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": PK, ":prefix": prefix },
          ConsistentRead: true,
          ExclusiveStartKey: start,
          ...(keysOnly ? { ProjectionExpression: "pk, sk" } : {}),
        })));
      out.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
