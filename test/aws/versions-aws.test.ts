// Versions on the aws backend (emulators): the stored code lives in the partitions table, and both a
// restarted host and the Lambda partition processor finish an instance on the version it started on,
// after its source was edited and the old file deleted; the processor stores its bundle's versions first.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect } from "../../runtime/client.ts";
import { startHost } from "../../runtime/host.ts";
import { createLambdaHandlers } from "../../runtime/lambda/index.ts";
import { startAwsEmulators, type AwsEmulators } from "../../runtime/testing.ts";
import { finished, scenario, until, waiting } from "../versions/scenario.ts";
import { bundleModule, definedVersions } from "../../runtime/versions/bundle.ts";
import { asEvent, readShardAsEvents } from "./esm.ts";

const PARTITIONS = 2;
let emu: AwsEmulators;

test.before(async () => {
  emu = await startAwsEmulators({ partitions: PARTITIONS });
});
test.after(async () => {
  await emu?.stop();
});

test("aws: a host restarted with only the edited code finishes the instance on its stored version", async () => {
  const s = await scenario("aws-host");
  const spec = { ...emu.backend, stream: "versions-host", tablePrefix: "versionshost-" };
  try {
    const first = await startHost({ app: s.v1, backend: spec, partitions: PARTITIONS });
    await first.client.start("approval", "order-1", { instanceId: "a1" });
    const v1 = (await until(first.client, "a1", waiting, "waiting")).version!;
    await first.stop();

    const second = await startHost({ app: await s.loadV3(), backend: spec, partitions: PARTITIONS });
    try {
      const v3 = second.app.latest.get("approval")!.version;
      assert.equal((await second.client.versions()).map((v) => [v.version, v.instances.Running]).sort(), [[v1, 1], [v3, 0]].sort());
      await second.client.raise("a1", "approve", "carol");
      const done = await until(second.client, "a1", finished, "finished");
      assert.is(done.status, "Completed", JSON.stringify(done.error));
      assert.is(done.output, "v1:order-1:carol");
      assert.is(done.version, v1);
      for (let i = 0; i < 100 && (await second.client.versions()).length > 1; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal((await second.client.versions()).map((v) => v.version), [v3]);
    } finally {
      await second.stop();
    }
  } finally {
    s.project.cleanup();
  }
});

test("aws: the Lambda partition processor loads a stored version from DynamoDB", async () => {
  const s = await scenario("aws-lambda");
  const spec = { ...emu.backend, stream: "versions-lambda", tablePrefix: "versionslambda-" };
  try {
    const first = await startHost({ app: s.v1, backend: spec, partitions: PARTITIONS });
    await first.client.start("approval", "order-2", { instanceId: "l1" });
    const v1 = (await until(first.client, "l1", waiting, "waiting")).version!;
    await first.stop();

    // The deployed bundle holds only the new code, and the stored code of its versions (deploy/bundle.ts).
    const v3app = await s.loadV3();
    const code = await bundleModule(`${s.project.dir}/approval-v3.ts`);
    const storedVersions = definedVersions(code).map((v) => ({ ...v, code }));
    assert.is(storedVersions.length, 1);
    const handlers = createLambdaHandlers(v3app, { backend: spec, partitions: PARTITIONS }, { storedVersions });
    const client = await connect({ backend: spec, partitions: PARTITIONS });
    try {
      const kinesis = (await handlers.processor.getBackend()).clients.kinesis;
      const after = new Map<number, string | undefined>();
      // What the event source mapping would hand over: each shard's records from where the host stopped reading.
      for (let p = 0; p < PARTITIONS; p++) {
        const records = await readShardAsEvents(kinesis, spec.stream, p, undefined);
        after.set(p, records.at(-1)?.kinesis.sequenceNumber);
      }
      await client.raise("l1", "approve", "dave");
      const deadline = Date.now() + 30_000;
      let done = await client.status("l1");
      while (!finished(done) && Date.now() < deadline) {
        for (let p = 0; p < PARTITIONS; p++) {
          const records = await readShardAsEvents(kinesis, spec.stream, p, after.get(p));
          if (records.length === 0) continue;
          await handlers.partition(asEvent(records), { getRemainingTimeInMillis: () => 30_000 });
          after.set(p, records.at(-1)!.kinesis.sequenceNumber);
        }
        done = await client.status("l1");
      }
      assert.is(done?.status, "Completed", JSON.stringify(done));
      assert.is(done!.output, "v1:order-2:dave");
      assert.is(done!.version, v1);
      // The bundle's own version was stored before its partitions ran.
      assert.ok((await client.versions()).some((v) => v.version === storedVersions[0]!.version));
    } finally {
      await handlers.close();
      await client.close();
    }
  } finally {
    s.project.cleanup();
  }
});

test.run();
