// The Lambda handlers against the emulators: the partition processor fed with
// real records read off the emulated stream, shaped as event-source-mapping
// batches; warm and cold (recovered) invocations; redelivered batches that must
// not double anything; a fenced container reporting batchItemFailures; the
// timer tick firing a due timer in a cold container; the client api.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startAwsEmulators, type AwsEmulators } from "../../runtime/testing.ts";
import { createLambdaHandlers, DispatchingExecutor, type LambdaHandlers } from "../../runtime/lambda/index.ts";
import type { KinesisEventRecord } from "../../runtime/lambda/events.ts";
import { connect, type Client } from "../../runtime/client.ts";
import { partitionOfInstance } from "../../runtime/partitions/hash.ts";
import { app, countedOnce, counters, eventWaiter, helloSequence, sleeper } from "../runtime/machines/apps.ts";
import { asEvent, readShardAsEvents } from "./esm.ts";

const PARTITIONS = 2;
let emu: AwsEmulators;
let handlers: LambdaHandlers;
let client: Client;
/** Per partition: the last sequence number the "event source mapping" saw succeed. */
const checkpoints = new Map<number, string | undefined>();
/** Every batch the driver delivered, to redeliver later. */
const delivered: { partition: number; records: KinesisEventRecord[] }[] = [];

test.before(async () => {
  emu = await startAwsEmulators({ partitions: PARTITIONS });
  handlers = createLambdaHandlers(app, { backend: emu.backend, partitions: PARTITIONS });
  client = await connect({ backend: emu.backend, partitions: PARTITIONS });
});
test.after(async () => {
  await handlers?.close();
  await client?.close();
  await emu?.stop();
});

/**
 * One round of what the event source mapping does: per shard, the records after the
 * last successful one, in one invocation; on batchItemFailures the next round starts
 * again at the failed record.
 */
async function pumpOnce(): Promise<number> {
  const kinesis = (await handlers.processor.getBackend()).clients.kinesis;
  let invoked = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const records = await readShardAsEvents(kinesis, emu.backend.stream, p, checkpoints.get(p));
    if (records.length === 0) continue;
    invoked++;
    delivered.push({ partition: p, records });
    const response = await handlers.partition(asEvent(records), { getRemainingTimeInMillis: () => 30_000 });
    const failed = response.batchItemFailures[0]?.itemIdentifier;
    if (failed === undefined) checkpoints.set(p, records[records.length - 1].kinesis.sequenceNumber);
    else {
      const i = records.findIndex((r) => r.kinesis.sequenceNumber === failed);
      assert.ok(i >= 0, "a failure names a record of the batch");
      if (i > 0) checkpoints.set(p, records[i - 1].kinesis.sequenceNumber);
    }
  }
  return invoked;
}

/** Pumps until `done()` holds; bounded (30 s) so a stuck test fails instead of hanging. */
async function pumpUntil(done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    await pumpOnce();
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("pumpUntil: condition not reached in 30 s");
}

const finished = (id: string) => async () => ["Completed", "Failed", "Terminated"].includes((await client.status(id))?.status ?? "");

async function startAndPump(orchestration: any, input: unknown, instanceId: string): Promise<void> {
  const started = client.start(orchestration, input, { instanceId });
  await pumpUntil(async () => (await client.status(instanceId)) !== undefined);
  await started;
}

test("Hello5 runs to completion through the partition handler, activities in the invocation", async () => {
  await startAndPump(helloSequence, ["Tokyo", "Seattle", "London", "Paris", "Rome"], "hello-1");
  await pumpUntil(finished("hello-1"));
  const s = await client.status("hello-1");
  assert.is(s!.status, "Completed");
  assert.equal(s!.output, ["Hello Tokyo!", "Hello Seattle!", "Hello London!", "Hello Paris!", "Hello Rome!"]);
  assert.ok(handlers.processor.stats.coldStarts >= 1);
});

test("a redelivered batch, warm or after a cold start, doubles nothing", async () => {
  await startAndPump(countedOnce, "once", "counted-1");
  await pumpUntil(finished("counted-1"));
  assert.is(counters.get("countedGreet:once"), 1);
  const p = partitionOfInstance("counted-1", PARTITIONS);
  const backend = await handlers.processor.getBackend();
  const headBefore = await backend.store.readHead(p);
  const statusBefore = await client.status("counted-1");
  const batches = delivered.filter((d) => d.partition === p);
  // Warm: the same container gets every batch again.
  for (const b of batches) assert.equal((await handlers.partition(asEvent(b.records))).batchItemFailures, []);
  // Cold: the container is gone; a new one recovers from DynamoDB and gets them again.
  handlers.processor.dropCache();
  for (const b of batches) assert.equal((await handlers.partition(asEvent(b.records))).batchItemFailures, []);
  await pumpOnce();
  assert.is(counters.get("countedGreet:once"), 1, "the activity ran once");
  assert.equal(await client.status("counted-1"), statusBefore);
  const headAfter = await backend.store.readHead(p);
  assert.is(headAfter.inputPosition, headBefore.inputPosition, "no record consumed twice");
});

test("a container whose lease was taken over is fenced: it reports the uncommitted records, the retry succeeds", async () => {
  await startAndPump(eventWaiter, ["go"], "fenced-1");
  await pumpUntil(async () => (await client.status("fenced-1"))?.customStatus === "waiting");
  const p = partitionOfInstance("fenced-1", PARTITIONS);
  const backend = await handlers.processor.getBackend();
  // Another container takes the partition over (as after a timeout): the cached one is now stale.
  const other = await backend.store.takeOverLease(p, "lambda:other", 60_000);
  assert.ok(other);
  await client.raise("fenced-1", "go", 42);
  const records = await readShardAsEvents(backend.clients.kinesis, emu.backend.stream, p, checkpoints.get(p));
  assert.ok(records.length >= 1);
  const response = await handlers.partition(asEvent(records), { getRemainingTimeInMillis: () => 20_000 });
  assert.equal(response.batchItemFailures, [{ itemIdentifier: records[0].kinesis.sequenceNumber }], "nothing committed: retry from the first");
  assert.is((await client.status("fenced-1"))!.status, "Running");
  // Lambda retries the batch: this container recovers under a new epoch and processes it.
  await pumpUntil(finished("fenced-1"));
  const s = await client.status("fenced-1");
  assert.is(s!.status, "Completed");
  assert.equal(s!.output, [42]);
  assert.ok((await backend.store.readLease(p))!.epoch > other!.epoch);
});

test("the timer tick wakes a cold partition so a due timer fires", async () => {
  await startAndPump(sleeper, 1500, "sleeper-1");
  await pumpOnce();
  handlers.processor.dropCache(); // frozen or discarded: no in-memory timer will fire
  await new Promise((r) => setTimeout(r, 1600));
  await pumpOnce(); // nothing new on the shards: nothing happens
  assert.is((await client.status("sleeper-1"))!.status, "Running");
  const { ticked } = await handlers.timer();
  assert.is(ticked, PARTITIONS);
  await pumpUntil(finished("sleeper-1"));
  const s = await client.status("sleeper-1");
  assert.is(s!.status, "Completed");
  assert.ok((s!.output as number) >= 1500);
});

test("activities dispatched to the activity worker function run there, once each", async () => {
  const worker = createLambdaHandlers(app, { backend: emu.backend, partitions: PARTITIONS });
  let invoked = 0;
  const dispatching = createLambdaHandlers(app, { backend: emu.backend, partitions: PARTITIONS }, {
    // The Lambda Invoke payload round trip: the task and the result cross as JSON.
    invokeActivity: async (task) => {
      invoked++;
      return JSON.parse(JSON.stringify(await worker.activity(JSON.parse(JSON.stringify(task)))));
    },
  });
  const saved = handlers;
  saved.processor.dropCache();
  handlers = dispatching; // a new container: it takes the partitions over
  try {
    await startAndPump(helloSequence, ["A", "B", "C"], "dispatched-1");
    await pumpUntil(finished("dispatched-1"));
    assert.equal((await client.status("dispatched-1"))!.output, ["Hello A!", "Hello B!", "Hello C!"]);
    assert.is(invoked, 3);
    await startAndPump(countedOnce, "dispatched", "dispatched-2");
    await pumpUntil(finished("dispatched-2"));
    assert.is(counters.get("countedGreet:dispatched"), 1);
  } finally {
    handlers.processor.dropCache();
    handlers = saved;
    await dispatching.close();
    await worker.close();
  }
});

test("an unreachable activity worker: the attempt runs in the processor instead", async () => {
  const local = { run: async (task: any) => ({ ok: true as const, value: `local ${task.name}` }) };
  const executor = new DispatchingExecutor(async () => {
    throw Object.assign(new Error("User is not authorized to perform: lambda:InvokeFunction"), { name: "AccessDeniedException" });
  }, local, () => undefined);
  const result = await executor.run({ partition: 0, instanceId: "x", taskId: 1, name: "greet", input: "y", attempt: 1 });
  assert.equal(result, { ok: true, value: "local greet" });
  assert.is(executor.stats.ranLocally, 1);
});

test("the client api runs client operations and refuses bad ones", async () => {
  const status = (await handlers.client({ op: "status", instanceId: "hello-1" })) as any;
  assert.is(status.status, "Completed");
  assert.is(await handlers.client({ op: "status", instanceId: "nope" }), null);
  const listed = (await handlers.client({ op: "list", filter: { instanceIdPrefix: "hello-" } })) as any[];
  assert.equal(listed.map((s) => s.instanceId), ["hello-1"]);
  try {
    await handlers.client({ op: "explode" });
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /unknown op "explode"/);
  }
  try {
    await handlers.client({ op: "raise", instanceId: "hello-1" });
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /needs name/);
  }
});

test.run();
