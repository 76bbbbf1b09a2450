// Versions on the memory backend: a host restarted on the same backend object, with only the edited
// code, finishes a waiting instance on the version it started on (loaded from the backend's store).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createMemoryBackend } from "../../runtime/backends/memory/index.ts";
import { startHost } from "../../runtime/host.ts";
import { finished, scenario, until, waiting } from "./scenario.ts";

test("memory: a waiting instance finishes on its version after the source is edited and the old file deleted", async () => {
  const s = await scenario("memory");
  const backend = createMemoryBackend({ partitions: 2 });
  try {
    const first = await startHost({ app: s.v1, backend, partitions: 2 });
    await first.client.start("approval", "order-1", { instanceId: "m1" });
    const v1 = (await until(first.client, "m1", waiting, "waiting")).version!;
    await first.stop();
    assert.equal((await backend.versions.list()).map((v) => v.version), [v1]);

    const second = await startHost({ app: await s.loadV3(), backend, partitions: 2 });
    try {
      const v3 = second.app.latest.get("approval")!.version;
      assert.is.not(v3, v1);
      assert.equal((await second.client.versions()).map((v) => [v.version, v.instances.Running]), [[v1, 1], [v3, 0]]);
      await second.client.raise("m1", "approve", "bob");
      const done = await until(second.client, "m1", finished, "finished");
      assert.is(done.status, "Completed", JSON.stringify(done.error));
      assert.is(done.output, "v1:order-1:bob");
      assert.is(done.customStatus, "approved by");
      assert.is(done.version, v1);
      // Retention: v1's last instance completed; v3 is this host's own.
      for (let i = 0; i < 100 && (await backend.versions.list()).length > 1; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal((await second.client.versions()).map((v) => v.version), [v3]);
    } finally {
      await second.stop();
    }
  } finally {
    await backend.close();
    s.project.cleanup();
  }
});

test("memory: a version that is not stored anywhere suspends the instance instead of leaving it Running", async () => {
  const s = await scenario("memory-unstored");
  const backend = createMemoryBackend({ partitions: 2 });
  try {
    const first = await startHost({ app: s.v1, backend, partitions: 2 });
    await first.client.start("approval", "order-2", { instanceId: "m2" });
    const v1 = (await until(first.client, "m2", waiting, "waiting")).version!;
    await first.stop();
    await backend.versions.delete("approval", v1);

    const second = await startHost({ app: await s.loadV3(), backend, partitions: 2, log: () => undefined });
    try {
      await second.client.raise("m2", "approve", "bob");
      const suspended = await until(second.client, "m2", (x) => x?.status === "Suspended", "Suspended");
      assert.is(suspended.version, v1);
      assert.match(suspended.error!.message, "it is not stored with the backend");
      assert.equal((await second.client.list({ status: "Suspended" })).map((x) => x.instanceId), ["m2"]);
    } finally {
      await second.stop();
    }
  } finally {
    await backend.close();
    s.project.cleanup();
  }
});

test.run();
