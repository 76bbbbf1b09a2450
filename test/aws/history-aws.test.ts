/**
 * The per-instance history on the aws backend (Kinesis and DynamoDB
 * emulators through the real SDK clients): the journey scenario of
 * test/history, the cap, and reading it again after a checkpoint (each step
 * is its own object item, `obj#hist:<id>:<seq>`). client.purge is not
 * supported on aws yet, so purging the history is tested on memory and local.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startHost, type Host } from "../../runtime/host.ts";
import type { PartitionOptions } from "../../runtime/partitions/partition.ts";
import { startAwsEmulators, type AwsEmulators } from "../../runtime/testing.ts";
import { compileOnLoad } from "../entities/harness.ts";
import { assertJourneyHistory, WAIT } from "../history/journey.ts";

if (!(await compileOnLoad())) throw new Error("this build has no compiler");
const app = await import("../history/history-app.ts");

let emulators: AwsEmulators | undefined;
let n = 0;

async function withHost(options: Partial<PartitionOptions>, body: (host: Host) => Promise<void>): Promise<void> {
  emulators ??= await startAwsEmulators({ partitions: 2 });
  const i = ++n;
  const host = await startHost({
    app: [app], backend: { ...emulators.backend, stream: `history-${i}`, tablePrefix: `history${i}-` }, partitions: 2, partitionOptions: options, log: () => undefined,
  });
  try {
    await body(host);
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

test.run();
