// A host on the aws backend under injected faults, end to end: PutRecords that
// reject some records, throttled and conflicting transactions, commits whose
// answer is lost after they happened, throttled reads, and partition crashes
// (recovery from DynamoDB, re-sent outbox). Every orchestration must complete
// with the right result, every activity with a counter must run exactly once
// per instance, and entity updates must apply exactly once.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ProvisionedThroughputExceededException } from "@aws-sdk/client-kinesis";
import { ThrottlingException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { startAwsEmulators, type AwsEmulators } from "../../runtime/testing.ts";
import { createAwsBackend, type AwsBackend } from "../../runtime/backends/aws/index.ts";
import { startHost, type Host } from "../../runtime/host.ts";
import { app, counter, counters, countedOnce, parent } from "../runtime/machines/apps.ts";
import { partialPutRecords } from "./inject.ts";

const PARTITIONS = 4;
let emu: AwsEmulators;
let backend: AwsBackend;
let host: Host;

/** Seeded, so a failing run replays the same fault pattern. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 0x100000000;
  };
}
const random = rng(Number(process.env.NWC_FAULT_SEED ?? 7));
const injected = new Map<string, number>();
const note = (k: string) => injected.set(k, (injected.get(k) ?? 0) + 1);

test.before(async () => {
  emu = await startAwsEmulators({ partitions: PARTITIONS });
  backend = await createAwsBackend(emu.backend, PARTITIONS);
  // 20% of PutRecords calls reject a third of their records.
  partialPutRecords(backend.clients.kinesis, (i, call) => {
    const reject = (call * 7 + i) % 3 === 0 && (call % 5 === 1);
    if (reject) note("PutRecords partial");
    return reject;
  });
  backend.clients.kinesis.middlewareStack.add((next: any, context: any) => async (args: any) => {
    if (context.commandName === "GetRecordsCommand" && random() < 0.05) {
      note("GetRecords throttled");
      throw new ProvisionedThroughputExceededException({ message: "injected", $metadata: {} });
    }
    return next(args);
  }, { step: "initialize", name: "faultsKinesis" });
  backend.clients.dynamodb.middlewareStack.add((next: any, context: any) => async (args: any) => {
    if (context.commandName === "TransactWriteItemsCommand") {
      const r = random();
      if (r < 0.05) {
        note("TransactWriteItems throttled");
        throw new ThrottlingException({ message: "injected", $metadata: {} });
      }
      if (r < 0.1) {
        note("TransactWriteItems conflict");
        throw new TransactionCanceledException({ message: "injected", $metadata: {}, CancellationReasons: [{ Code: "TransactionConflict" }] });
      }
      if (r < 0.15) {
        const out = await next(args); // it happened; the answer is lost
        note("TransactWriteItems answer lost");
        void out;
        throw Object.assign(new Error("socket hang up (injected)"), { code: "ECONNRESET" });
      }
    }
    return next(args);
  }, { step: "initialize", name: "faultsDynamo" });
  host = await startHost({ app, backend, partitions: PARTITIONS, log: () => undefined });
});
test.after(async () => {
  await host?.stop();
  await backend?.close();
  await emu?.stop();
});

test("orchestrations, sub-orchestrations and entity signals complete exactly once under faults and crashes", async () => {
  const names = Array.from({ length: 24 }, (_, i) => `f${i}`);
  const started = [
    ...names.map((n) => host.client.start(countedOnce, n, { instanceId: `counted-${n}` })),
    ...Array.from({ length: 8 }, (_, i) => host.client.start(parent, i, { instanceId: `parent-${i}` })),
  ];
  for (let i = 0; i < 20; i++) await host.client.signal(counter, `k${i % 4}`, "add", 1);
  // Crash two partitions while work is in flight: they recover from DynamoDB and re-send their outboxes.
  setTimeout(() => host.crashPartition(1), 150);
  setTimeout(() => host.crashPartition(3), 400);
  const ids = await Promise.all(started);
  for (const id of ids) {
    const s = await host.client.wait(id, { timeoutMs: 60_000 });
    assert.is(s.status, "Completed", `${id}: ${JSON.stringify(s.error)}`);
  }
  for (const n of names) {
    assert.is((await host.client.status(`counted-${n}`))!.output, `Hello ${n}!`);
    assert.is(counters.get(`countedGreet:${n}`), 1, `countedGreet ${n} ran once`);
  }
  for (let i = 0; i < 8; i++) assert.equal((await host.client.status(`parent-${i}`))!.output, [i * 2, (i + 1) * 2]);
  const deadline = Date.now() + 30_000;
  let total = 0;
  while (Date.now() < deadline) {
    total = 0;
    for (let k = 0; k < 4; k++) total += ((await host.client.readEntity(counter, `k${k}`)) as { value: number } | undefined)?.value ?? 0;
    if (total >= 20) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.is(total, 20, "every signal applied exactly once");
  for (const kind of ["PutRecords partial", "TransactWriteItems throttled", "TransactWriteItems answer lost"]) {
    assert.ok((injected.get(kind) ?? 0) > 0, `${kind} was injected`);
  }
  console.log("injected:", Object.fromEntries(injected));
});

test.run();
