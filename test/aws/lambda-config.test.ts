// The Lambda handlers' input checking: environment configuration and event
// records, each bad input refused with an error naming what is wrong.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { configFromEnv } from "../../runtime/lambda/config.ts";
import { shardIdOf, toChannelRecord, type KinesisEventRecord } from "../../runtime/lambda/events.ts";
import { appFromModule } from "../../runtime/lambda/index.ts";
import { greet, helloSequence } from "../runtime/machines/apps.ts";

const env = { NWC_STREAM: "shop", NWC_TABLE_PREFIX: "shop-", NWC_PARTITIONS: "4", AWS_REGION: "eu-west-1" };

test("the configuration comes from the template's environment", () => {
  assert.equal(configFromEnv(env), { backend: { kind: "aws", region: "eu-west-1", stream: "shop", tablePrefix: "shop-" }, partitions: 4 });
  const local = configFromEnv({ ...env, NWC_DYNAMODB_ENDPOINT: "http://127.0.0.1:1", NWC_KINESIS_ENDPOINT: "http://127.0.0.1:2", NWC_ACTIVITY_FUNCTION: "shop-ActivityWorker" });
  assert.equal(local.backend.endpoints, { dynamodb: "http://127.0.0.1:1", kinesis: "http://127.0.0.1:2" });
  assert.is(local.activityFunction, "shop-ActivityWorker");
});

test("a missing or malformed variable is named", () => {
  assert.throws(() => configFromEnv({ ...env, NWC_STREAM: undefined }), /NWC_STREAM is not set/);
  assert.throws(() => configFromEnv({ ...env, NWC_PARTITIONS: "zero" }), /NWC_PARTITIONS must be a positive integer/);
});

const record = (data: string, eventID = "shardId-000000000001:4955"): KinesisEventRecord => ({
  eventSourceARN: "arn:aws:kinesis:eu-west-1:1:stream/shop",
  eventID,
  kinesis: { data, sequenceNumber: "4955", partitionKey: "p1" },
});

test("event records decode to channel records; others are refused naming the record", () => {
  const envelope = { from: "c:1", to: 1, seq: 3, body: { kind: "raiseEvent" } };
  const r = toChannelRecord(record(Buffer.from(JSON.stringify(envelope)).toString("base64")));
  assert.equal(r, { position: "4955", envelope });
  assert.is(shardIdOf(record("")), "shardId-000000000001");
  assert.throws(() => toChannelRecord(record(Buffer.from("not json").toString("base64"))), /record 4955 is not an nwc envelope/);
  assert.throws(() => toChannelRecord(record(Buffer.from("{}").toString("base64"))), /from\/to\/seq missing/);
  assert.throws(() => shardIdOf(record("", "nocolon")), /no shard id/);
});

test("the app of a module: its app export, else its definitions", () => {
  assert.equal(appFromModule({ app: [greet] }), [[greet]]);
  assert.equal(appFromModule({ greet, helloSequence, helper: () => 1, n: 3 }), [greet, helloSequence]);
});

test.run();
