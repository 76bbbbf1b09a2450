/**
 * The per-instance history on the aws backend (Kinesis and DynamoDB
 * emulators through the real SDK clients): the journey scenario of
 * test/history, the cap, and reading it again after a checkpoint (each step
 * is its own object item, `obj#hist:<id>:<seq>`), and client.purge: the
 * status items (a large status in chunks too), the record and the history go;
 * a running instance is refused; the id can be used again.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GetItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { createClients } from "../../runtime/backends/aws/clients.ts";
import { tableNames } from "../../runtime/backends/aws/options.ts";
import { startHost, type Host } from "../../runtime/host.ts";
import type { PartitionOptions } from "../../runtime/partitions/partition.ts";
import { startAwsEmulators, type AwsEmulators } from "../../runtime/testing.ts";
import { compileOnLoad } from "../entities/harness.ts";
import { assertJourneyHistory, until, WAIT } from "../history/journey.ts";

if (!(await compileOnLoad())) throw new Error("this build has no compiler");
const app = await import("../history/history-app.ts");

let emulators: AwsEmulators | undefined;
let n = 0;

async function withHost(options: Partial<PartitionOptions>, body: (host: Host, backend: AwsEmulators["backend"]) => Promise<void>): Promise<void> {
  emulators ??= await startAwsEmulators({ partitions: 2 });
  const i = ++n;
  const backend = { ...emulators.backend, stream: `history-${i}`, tablePrefix: `history${i}-` };
  const host = await startHost({ app: [app], backend, partitions: 2, partitionOptions: options, log: () => undefined });
  try {
    await body(host, backend);
  } finally {
    await host.stop();
  }
}

test.after(async () => {
  await emulators?.stop();
});

test("aws: the journey's history: wakes with attempts and last error, commands, waits, child", async () => {
  await withHost({}, (host) => assertJourneyHistory(host, app, "aws-j1"));
});

test("aws: the cap keeps the last steps, also after a checkpoint", async () => {
  await withHost({ historyLimit: 3 }, async (host) => {
    await host.client.wait(await host.client.start(app.looper, 6, { instanceId: "loop" }), WAIT);
    assert.equal((await host.client.history("loop")).steps.map((s) => s.seq), [5, 6, 7]);
    for (const p of host.partitions) await p?.checkpointNow();
    assert.equal((await host.client.history("loop")).steps.map((s) => s.seq), [5, 6, 7]);
    assert.is((await host.client.history("loop")).steps.at(-1)!.outcome, "completed");
  });
});

test("aws: purge removes a finished instance's status (chunks too), record and history; the id starts afresh", async () => {
  await withHost({}, async (host, backend) => {
    await host.client.wait(await host.client.start(app.looper, 3, { instanceId: "p1" }), WAIT);
    // 200 KB in, 200 KB out: a status row over one DynamoDB item, stored in chunks.
    await host.client.wait(await host.client.start(app.echoInput, "x".repeat(200_000), { instanceId: "big" }), WAIT);
    const unknown = await host.client.purge("nope").then(() => undefined, (e: Error) => e);
    assert.match(unknown?.message ?? "", /no instance with id "nope"/);
    const dynamodb = createClients(backend).dynamodb;
    const TableName = tableNames(backend).status;
    const bigRow = (await dynamodb.send(new GetItemCommand({ TableName, Key: { id: { S: "big" } }, ConsistentRead: true }))).Item!;
    assert.ok(Number(bigRow.n!.N) > 1, "the big status is stored in chunks");
    for (const id of ["p1", "big"]) {
      await host.client.purge(id);
      await until(`the purge of ${id}`, () => host.client.status(id), (s) => s === undefined);
    }
    assert.equal((await host.client.history("p1")).steps, []);
    assert.equal((await host.client.list()).map((s) => s.instanceId).filter((id) => id === "p1" || id === "big"), []);
    // Their status items are gone, the chunks of the big one's row too.
    const { Items } = await dynamodb.send(new ScanCommand({ TableName }));
    const left = (Items ?? []).map((i) => i.id!.S!);
    assert.equal(left.filter((id) => id === "p1" || id === "big" || id.startsWith(`big\u0000${bigRow.ver!.S}`)), []);
    await host.client.wait(await host.client.start(app.looper, 1, { instanceId: "p1" }), WAIT);
    assert.equal((await host.client.history("p1")).steps.map((s) => s.seq), [1, 2]);
  });
});

test("aws: a large status written again and again leaves only its current chunks", async () => {
  await withHost({}, async (host, backend) => {
    const done = await host.client.wait(await host.client.start(app.bigStatus, "x".repeat(200_000), { instanceId: "bs" }), WAIT);
    assert.is(done.output, 200_000);
    const dynamodb = createClients(backend).dynamodb;
    const TableName = tableNames(backend).status;
    const main = (await dynamodb.send(new GetItemCommand({ TableName, Key: { id: { S: "bs" } }, ConsistentRead: true }))).Item!;
    assert.ok(Number(main.n!.N) > 1, "the status is stored in chunks");
    const { Items } = await dynamodb.send(new ScanCommand({ TableName, ConsistentRead: true }));
    const chunks = (Items ?? []).filter((i) => i.id!.S!.startsWith("bs\u0000"));
    // Four writes of it (Running, two custom statuses, Completed); one version's chunks are left.
    assert.equal(chunks.map((c) => c.ver!.S), Array(Number(main.n!.N) - 1).fill(main.ver!.S));
    assert.is((await host.client.status("bs"))?.customStatus, `2${"x".repeat(200_000)}`);
  });
});

test.run();
