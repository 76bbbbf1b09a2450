// Kinesis channels against kinesis-mock through the real SDK client: ordering per
// shard, positions, batching limits, oversized records, and injected throttling
// and partial PutRecords failures that must neither lose nor double a message.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ProvisionedThroughputExceededException } from "@aws-sdk/client-kinesis";
import { startAwsEmulators, type AwsEmulators } from "../../runtime/testing.ts";
import { createAwsBackend, type AwsBackend } from "../../runtime/backends/aws/index.ts";
import type { ChannelRecord, Envelope } from "../../runtime/backends/types.ts";
import { countRequests, failFirst, partialPutRecords } from "./inject.ts";

const PARTITIONS = 3;
let emu: AwsEmulators;
let backend: AwsBackend;

test.before(async () => {
  emu = await startAwsEmulators({ partitions: PARTITIONS });
  backend = await createAwsBackend(emu.backend, PARTITIONS);
});
test.after(async () => {
  await backend?.close();
  await emu?.stop();
});

const envelopes = (from: string, to: number, count: number, body: (i: number) => any = (i) => ({ i })): Envelope[] =>
  Array.from({ length: count }, (_, i) => ({ from, to, seq: i + 1, body: body(i) }));

async function readAll(partition: number, after?: string, expect = Infinity): Promise<ChannelRecord[]> {
  const out: ChannelRecord[] = [];
  let position = after;
  // Bounded: 3 empty reads in a row (~0.6 s at the 200 ms pace) means nothing more is
  // coming: records a resolved send stored are readable at once on the emulator.
  for (let empty = 0; empty < 3 && out.length < expect; ) {
    const records = await backend.channels.read(partition, position, { maxRecords: 1000 });
    if (records.length === 0) empty++;
    else {
      empty = 0;
      out.push(...records);
      position = records[records.length - 1].position;
    }
  }
  return out;
}

function keyOf(e: Envelope) {
  return `${e.from}/${e.to}/${e.seq}`;
}

test("each partition reads exactly its own envelopes, in send order, with increasing positions", async () => {
  const sent = [...envelopes("c:order", 0, 5), ...envelopes("c:order", 1, 3), ...envelopes("c:order", 2, 4)];
  await backend.channels.send(sent);
  for (let p = 0; p < PARTITIONS; p++) {
    const records = (await readAll(p, undefined)).filter((r) => r.envelope.from === "c:order");
    assert.equal(records.map((r) => r.envelope), sent.filter((e) => e.to === p));
    for (let i = 1; i < records.length; i++) assert.ok(backend.channels.comparePositions(records[i - 1].position, records[i].position) < 0);
    assert.is(backend.channels.comparePositions(records[0].position, records[0].position), 0);
  }
});

test("read after a position continues exclusively; waitMs waits for new records", async () => {
  const first = await readAll(0, undefined);
  const last = first[first.length - 1].position;
  assert.equal(await backend.channels.read(0, last, { maxRecords: 10 }), []);
  const started = Date.now();
  setTimeout(() => void backend.channels.send(envelopes("c:wait", 0, 1)), 300);
  const records = await backend.channels.read(0, last, { maxRecords: 10, waitMs: 5000 });
  assert.is(records.length, 1);
  assert.is(records[0].envelope.from, "c:wait");
  assert.ok(Date.now() - started >= 250);
  assert.ok(backend.channels.comparePositions(last, records[0].position) < 0);
});

test("maxRecords bounds a read", async () => {
  await backend.channels.send(envelopes("c:max", 1, 7));
  const all = (await readAll(1)).filter((r) => r.envelope.from === "c:max");
  const before = (await readAll(1)).findIndex((r) => r.envelope.from === "c:max");
  const after = before === 0 ? undefined : (await readAll(1))[before - 1].position;
  const some = await backend.channels.read(1, after, { maxRecords: 3 });
  assert.is(some.length, 3);
  assert.equal(some.map((r) => r.envelope), all.slice(0, 3).map((r) => r.envelope));
});

test("a send over 500 records is cut into several PutRecords calls", async () => {
  const counter = countRequests(backend.clients.kinesis);
  try {
    await backend.channels.send(envelopes("c:many", 2, 1200));
  } finally {
    counter.remove();
  }
  assert.is(counter.counts.get("PutRecordsCommand"), 3);
  const records = (await readAll(2, undefined)).filter((r) => r.envelope.from === "c:many");
  assert.is(records.length, 1200);
  assert.equal(records.map((r) => r.envelope.seq), Array.from({ length: 1200 }, (_, i) => i + 1));
});

test("a record over 1 MiB is refused with an error naming the limit; nothing of the call is sent", async () => {
  const big = "x".repeat(1024 * 1024);
  try {
    await backend.channels.send([{ from: "c:big", to: 0, seq: 1, body: { big } }]);
    assert.unreachable("should have thrown");
  } catch (error) {
    assert.instance(error, RangeError);
    assert.match((error as Error).message, /1048576 bytes \(1 MiB\)/);
  }
  const fits = "y".repeat(900 * 1024);
  await backend.channels.send([{ from: "c:big", to: 0, seq: 2, body: { fits } }]);
  const records = (await readAll(0)).filter((r) => r.envelope.from === "c:big");
  assert.equal(records.map((r) => r.envelope.seq), [2]);
  assert.is((records[0].envelope.body as any).fits.length, 900 * 1024);
});

test("a send to a partition that does not exist is refused", async () => {
  try {
    await backend.channels.send([{ from: "c:x", to: PARTITIONS, seq: 1, body: null }]);
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /there are 3 partitions/);
  }
});

test("partial PutRecords failures are re-sent until every record is stored exactly once", async () => {
  const sent = [...envelopes("c:partial", 0, 40), ...envelopes("c:partial", 1, 40)];
  // Every third record of the first two calls is rejected.
  const injector = partialPutRecords(backend.clients.kinesis, (i, call) => call < 2 && i % 3 === 0);
  try {
    await backend.channels.send(sent);
  } finally {
    injector.remove();
  }
  assert.ok(injector.rejected() > 0);
  for (const p of [0, 1]) {
    const got = (await readAll(p)).filter((r) => r.envelope.from === "c:partial").map((r) => r.envelope);
    assert.is(got.length, 40, `partition ${p}: every record once`);
    assert.equal(new Set(got.map(keyOf)).size, 40);
    assert.equal(got.map((e) => e.seq).sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i + 1));
  }
});

test("throttled PutRecords calls are retried with backoff; nothing lost, nothing doubled", async () => {
  const fail = failFirst(backend.clients.kinesis, "PutRecordsCommand", 3, () =>
    new ProvisionedThroughputExceededException({ message: "Rate exceeded (injected)", $metadata: {} }));
  try {
    await backend.channels.send(envelopes("c:throttle", 2, 25));
  } finally {
    fail.remove();
  }
  assert.is(fail.failed(), 3);
  const got = (await readAll(2)).filter((r) => r.envelope.from === "c:throttle").map((r) => r.envelope.seq);
  assert.equal(got, Array.from({ length: 25 }, (_, i) => i + 1));
});

test("throttled GetRecords calls are retried; the read returns the records", async () => {
  await backend.channels.send(envelopes("c:getthrottle", 1, 2));
  const fail = failFirst(backend.clients.kinesis, "GetRecordsCommand", 2, () =>
    new ProvisionedThroughputExceededException({ message: "Rate exceeded (injected)", $metadata: {} }));
  try {
    const got = (await readAll(1)).filter((r) => r.envelope.from === "c:getthrottle").map((r) => r.envelope.seq);
    assert.equal(got, [1, 2]);
  } finally {
    fail.remove();
  }
  assert.is(fail.failed(), 2);
});

test("reads are paced to at most 5 GetRecords per second per shard", async () => {
  const counter = countRequests(backend.clients.kinesis);
  const started = Date.now();
  const first = await readAll(0);
  const position = first[first.length - 1].position;
  const before = counter.counts.get("GetRecordsCommand") ?? 0;
  const t0 = Date.now();
  await backend.channels.read(0, position, { maxRecords: 10, waitMs: 1000 });
  const calls = (counter.counts.get("GetRecordsCommand") ?? 0) - before;
  const seconds = (Date.now() - t0) / 1000;
  counter.remove();
  assert.ok(calls <= Math.ceil(seconds * 5) + 1, `${calls} GetRecords in ${seconds}s`);
  assert.ok(calls >= 2);
  assert.ok(Date.now() - started > 0);
});

test("a stream with another shard count is refused with a clear error", async () => {
  try {
    await createAwsBackend(emu.backend, PARTITIONS + 1);
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /has 3 open shards but the host runs 4 partitions/);
  }
});

test("a closed backend refuses further use", async () => {
  const other = await createAwsBackend(emu.backend, PARTITIONS);
  await other.close();
  await other.close(); // idempotent
  try {
    await other.channels.send(envelopes("c:closed", 0, 1));
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /used after close\(\)/);
  }
});

test("bad options are refused naming the option", async () => {
  for (const [options, pattern] of [
    [{ ...emu.backend, stream: "bad name!" }, /"stream"/],
    [{ ...emu.backend, region: "" }, /"region"/],
    [{ ...emu.backend, endpoints: { kinesis: "nope" } }, /endpoints.kinesis/],
  ] as const) {
    try {
      await createAwsBackend(options, 1);
      assert.unreachable();
    } catch (error) {
      assert.match((error as Error).message, pattern);
    }
  }
});

test.run();
