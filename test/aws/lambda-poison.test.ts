// Poison records in the partition processor, against the emulators: a record
// that is not an nwc envelope, or an envelope addressed to another partition,
// is kept in the partitions table (shard, sequence number, data), logged and
// skipped, while the records around it apply; if it cannot be kept, the
// answer names it as the batch failure so Lambda delivers it again.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PutRecordCommand } from "@aws-sdk/client-kinesis";
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import { startAwsEmulators, type AwsEmulators } from "../../runtime/testing.ts";
import { PartitionProcessor } from "../../runtime/lambda/processor.ts";
import { MAX_KEPT_DATA_BYTES } from "../../runtime/lambda/poison.ts";
import { App } from "../../runtime/partitions/app.ts";
import { partitionOfInstance } from "../../runtime/partitions/hash.ts";
import { listOpenShards } from "../../runtime/backends/aws/resources.ts";
import { connect, type Client } from "../../runtime/client.ts";
import { app, helloSequence } from "../runtime/machines/apps.ts";
import { asEvent, readShardAsEvents } from "./esm.ts";

const PARTITIONS = 2;
const P = 0;
let emu: AwsEmulators;
let processor: PartitionProcessor;
let client: Client;
const logged: string[] = [];

test.before(async () => {
  emu = await startAwsEmulators({ partitions: PARTITIONS, stream: "poison", tablePrefix: "poison-" });
  processor = new PartitionProcessor({ backend: emu.backend, partitions: PARTITIONS }, App.from(app), {}, (level, m) => logged.push(`${level}: ${m}`));
  client = await connect({ backend: emu.backend, partitions: PARTITIONS });
});
test.after(async () => {
  await processor?.close();
  await client?.close();
  await emu?.stop();
});

/** Puts raw bytes on partition P's shard, as a buggy or hostile producer could; answers the sequence number. */
async function putRaw(data: Uint8Array): Promise<string> {
  const { kinesis } = (await processor.getBackend()).clients;
  const shards = await listOpenShards(kinesis, emu.backend.stream);
  const out = await kinesis.send(new PutRecordCommand({
    StreamName: emu.backend.stream, Data: data, PartitionKey: "poison", ExplicitHashKey: shards[P].HashKeyRange!.StartingHashKey!,
  }));
  return out.SequenceNumber!;
}

async function keptItems(): Promise<Record<string, any>[]> {
  const { dynamodb } = (await processor.getBackend()).clients;
  const out = await dynamodb.send(new QueryCommand({
    TableName: "poison-partitions",
    KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
    ExpressionAttributeValues: { ":pk": { S: `p${P}` }, ":prefix": { S: "poison#" } },
  }));
  return out.Items ?? [];
}

const idOnPartition = (prefix: string) => {
  for (let i = 0; ; i++) if (partitionOfInstance(`${prefix}-${i}`, PARTITIONS) === P) return `${prefix}-${i}`;
};

let batch: Awaited<ReturnType<typeof readShardAsEvents>> = [];
let garbageSeq = "", misroutedSeq = "";
const garbage = Buffer.from("\u0000not json at all");

test("poison records are kept with shard and sequence number, logged, and skipped; the records around them apply", async () => {
  garbageSeq = await putRaw(garbage);
  const id = idOnPartition("after-poison");
  const started = client.start(helloSequence, ["Oslo"], { instanceId: id });
  // Wait until the client's start message is on the shard, then add an envelope for the other partition.
  const { kinesis } = (await processor.getBackend()).clients;
  for (let i = 0; i < 100 && (await readShardAsEvents(kinesis, emu.backend.stream, P)).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
  misroutedSeq = await putRaw(Buffer.from(JSON.stringify({ from: "c:someone", to: 1, seq: 1, body: { kind: "startInstance" } })));
  batch = await readShardAsEvents(kinesis, emu.backend.stream, P);
  assert.equal(batch.map((r) => r.kinesis.sequenceNumber).filter((s) => s === garbageSeq || s === misroutedSeq), [garbageSeq, misroutedSeq]);

  const response = await processor.handle(asEvent(batch), { getRemainingTimeInMillis: () => 30_000 });
  assert.equal(response.batchItemFailures, [], "the poison records do not hold the shard");
  assert.ok(await client.status(id), "the start between the two poison records applied");
  assert.is(await started, id);

  const items = await keptItems();
  assert.equal(items.map((i) => i.sequenceNumber.S), [garbageSeq, misroutedSeq].sort());
  const byItem = Object.fromEntries(items.map((i) => [i.sequenceNumber.S, i]));
  const shardId = batch[0].eventID.split(":")[0];
  assert.is(byItem[garbageSeq].shardId.S, shardId);
  assert.is(byItem[garbageSeq].sk.S, `poison#${shardId}#${garbageSeq}`);
  assert.match(byItem[garbageSeq].reason.S, /not an nwc envelope/);
  assert.ok(Buffer.from(byItem[garbageSeq].data.S, "base64").equals(garbage), "the data is kept as it was");
  assert.is(byItem[garbageSeq].dataBytes.N, String(garbage.byteLength));
  assert.match(byItem[misroutedSeq].reason.S, /addressed to partition 1/);
  assert.is(processor.stats.poisonRecords, 2);
  assert.ok(logged.some((l) => l.startsWith("error: ") && l.includes(`skipped poison record ${garbageSeq} of shard ${shardId}`)), logged.join("\n"));
});

test("a redelivered poison record keeps its first item and is skipped again", async () => {
  const before = await keptItems();
  const response = await processor.handle(asEvent(batch), { getRemainingTimeInMillis: () => 30_000 });
  assert.equal(response.batchItemFailures, []);
  assert.equal(await keptItems(), before);
});

test("a poison record that cannot be kept is the batch failure: Lambda delivers it again, and then it is kept", async () => {
  const seq = await putRaw(Buffer.from("{ broken"));
  const { kinesis, dynamodb } = (await processor.getBackend()).clients;
  const records = await readShardAsEvents(kinesis, emu.backend.stream, P, batch[batch.length - 1].kinesis.sequenceNumber);
  assert.is(records[records.length - 1].kinesis.sequenceNumber, seq, "the poison record is the last of the batch (the processor's own sends may precede it)");
  const denied = Object.assign(new Error("User is not authorized to perform: dynamodb:PutItem"), { name: "AccessDeniedException", $metadata: {} });
  const name = "denyPoisonPuts";
  (dynamodb.middlewareStack as any).add((next: any, context: { commandName: string }) => async (args: any) => {
    if (context.commandName === "PutItemCommand" && args.input.Item?.sk?.S?.startsWith("poison#")) throw denied;
    return next(args);
  }, { step: "initialize", name });
  try {
    const response = await processor.handle(asEvent(records), { getRemainingTimeInMillis: () => 30_000 });
    assert.equal(response.batchItemFailures, [{ itemIdentifier: seq }]);
    assert.not.ok((await keptItems()).some((i) => i.sequenceNumber.S === seq));
    assert.ok(logged.some((l) => l.includes(`poison record ${seq}`) && l.includes("could not be kept") && l.includes("delivered again")));
  } finally {
    (dynamodb.middlewareStack as any).remove(name);
  }
  const again = await processor.handle(asEvent(records), { getRemainingTimeInMillis: () => 30_000 });
  assert.equal(again.batchItemFailures, []);
  assert.ok((await keptItems()).some((i) => i.sequenceNumber.S === seq));
});

test("a large poison record keeps its first 64 KiB and says it was cut", async () => {
  const { kinesis } = (await processor.getBackend()).clients;
  const after = (await readShardAsEvents(kinesis, emu.backend.stream, P)).at(-1)!.kinesis.sequenceNumber;
  const big = Buffer.alloc(100 * 1024, 0xff);
  const seq = await putRaw(big);
  const records = await readShardAsEvents(kinesis, emu.backend.stream, P, after);
  assert.equal((await processor.handle(asEvent(records), { getRemainingTimeInMillis: () => 30_000 })).batchItemFailures, []);
  const item = (await keptItems()).find((i) => i.sequenceNumber.S === seq)!;
  assert.is(item.dataBytes.N, String(big.byteLength));
  assert.is(item.dataTruncated.BOOL, true);
  assert.ok(Buffer.from(item.data.S, "base64").equals(big.subarray(0, MAX_KEPT_DATA_BYTES)));
});

test.run();
