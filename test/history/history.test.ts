/**
 * The per-instance history (runtime/history.ts) on the memory and local
 * backends: what a step records (wakes with their source, attempts and last
 * error; commands; where it waits), the cap, switching it off, purge, and the
 * parent/child links.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { BackendSpec } from "../../runtime/backends/index.ts";
import { startHost, type Host } from "../../runtime/host.ts";
import { readHistory } from "../../runtime/history-reader.ts";
import type { PartitionOptions } from "../../runtime/partitions/partition.ts";
import { compileOnLoad } from "../entities/harness.ts";
import { assertJourneyHistory, until, WAIT } from "./journey.ts";

if (!(await compileOnLoad())) throw new Error("this build has no compiler");
const app = await import("./history-app.ts");

const quiet = () => undefined;

async function withHost(kind: "memory" | "local", options: Partial<PartitionOptions>, body: (host: Host) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "nwc-history-"));
  const backend: BackendSpec = kind === "memory" ? "memory" : { kind: "local", dir };
  const host = await startHost({ app: [app], backend, partitions: 2, partitionOptions: options, log: quiet });
  try {
    await body(host);
  } finally {
    await host.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

for (const kind of ["memory", "local"] as const) {
  test(`${kind}: a step records its wakes (retried activity with attempts and last error, failed activity, timer, event, child) and commands`, async () => {
    await withHost(kind, {}, async (host) => {
      await assertJourneyHistory(host, app, `${kind}-j1`);
    });
  });

  test(`${kind}: the history keeps the last historyLimit steps of a long loop`, async () => {
    await withHost(kind, { historyLimit: 4 }, async (host) => {
      await host.client.wait(await host.client.start(app.looper, 10, { instanceId: "loop" }), WAIT);
      const { steps } = await host.client.history("loop");
      assert.equal(steps.map((s) => s.seq), [8, 9, 10, 11]);
      assert.is(steps.at(-1)!.outcome, "completed");
    });
  });

  test(`${kind}: historyLimit 0 records nothing`, async () => {
    await withHost(kind, { historyLimit: 0 }, async (host) => {
      await host.client.wait(await host.client.start(app.looper, 3, { instanceId: "off" }), WAIT);
      assert.equal((await host.client.history("off")).steps, []);
    });
  });

  test(`${kind}: purge removes the history; an id started again begins a new one`, async () => {
    await withHost(kind, {}, async (host) => {
      await host.client.wait(await host.client.start(app.looper, 3, { instanceId: "p1" }), WAIT);
      assert.is((await host.client.history("p1")).steps.length, 4);
      await host.client.purge("p1");
      await until("the purge", () => host.client.status("p1"), (s) => s === undefined);
      assert.equal((await host.client.history("p1")).steps, []);
      await host.client.wait(await host.client.start(app.looper, 1, { instanceId: "p1" }), WAIT);
      assert.equal((await host.client.history("p1")).steps.map((s) => s.seq), [1, 2]);
    });
  });
}

test("local: the history is read from a checkpoint after a restart, and a purge after a checkpoint stays applied", async () => {
  const dir = await mkdtemp(join(tmpdir(), "nwc-history-"));
  const start = () => startHost({ app: [app], backend: { kind: "local", dir }, partitions: 2, log: quiet });
  try {
    let host = await start();
    await host.client.wait(await host.client.start(app.looper, 5, { instanceId: "c1" }), WAIT);
    await host.client.wait(await host.client.start(app.looper, 2, { instanceId: "c2" }), WAIT);
    const before = await host.client.history("c1");
    assert.is(before.steps.length, 6);
    for (const p of host.partitions) await p?.checkpointNow();
    await host.stop();
    host = await start();
    assert.equal(await host.client.history("c1"), before);
    await host.client.purge("c1");
    await until("the purge", () => host.client.status("c1"), (s) => s === undefined);
    for (const p of host.partitions) await p?.checkpointNow();
    await host.stop();
    host = await start();
    assert.equal((await host.client.history("c1")).steps, []);
    assert.is((await host.client.history("c2")).steps.length, 3);
    await host.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("local: a lowered historyLimit holds on read at once; the instance's next step trims what is stored (0: all of it)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "nwc-history-"));
  const start = (historyLimit?: number) =>
    startHost({ app: [app], backend: { kind: "local", dir }, partitions: 2, partitionOptions: historyLimit === undefined ? {} : { historyLimit }, log: quiet });
  /** What is stored, whatever the reader's limit. */
  const stored = async (host: Host, id: string) => (await readHistory(host.backend.store, 2, id)).steps.map((s) => s.seq);
  try {
    let host = await start();
    for (const id of ["lowered", "off"]) {
      await host.client.start(app.journey, id, { instanceId: id });
      // Started, the flaky and the broken activity's results, the timer: then it waits for "approval".
      await until(`${id} waiting`, () => host.client.history(id), (h) => h.steps.length === 4);
    }
    await host.stop();

    host = await start(2);
    assert.equal((await host.client.history("lowered")).steps.map((s) => s.seq), [3, 4], "read with the new limit");
    assert.equal(await stored(host, "lowered"), [1, 2, 3, 4], "not trimmed before its next step");
    await host.client.raise("lowered", "approval", "yes");
    await host.client.wait("lowered", WAIT);
    assert.equal(await stored(host, "lowered"), [5, 6], "trimmed by the steps after");
    assert.equal((await host.client.history("lowered")).steps.map((s) => s.seq), [5, 6]);
    await host.stop();

    host = await start(0);
    assert.equal((await host.client.history("off")).steps, [], "history off: a read returns none");
    assert.equal(await stored(host, "off"), [1, 2, 3, 4]);
    await host.client.raise("off", "approval", "yes");
    await host.client.wait("off", WAIT);
    assert.equal(await stored(host, "off"), [], "its next step deleted what it had");
    await host.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("an instance id that extends another's (a:1 after a) keeps its own history", async () => {
  await withHost("memory", {}, async (host) => {
    await host.client.wait(await host.client.start(app.looper, 1, { instanceId: "a" }), WAIT);
    await host.client.wait(await host.client.start(app.looper, 2, { instanceId: "a:1" }), WAIT);
    assert.is((await host.client.history("a")).steps.length, 2);
    assert.is((await host.client.history("a:1")).steps.length, 3);
  });
});

test.run();
