// The stored form of an instance's frame (InstanceRecord.frameText,
// runtime/partitions/state/instance.ts): this version stores the JSON text
// of the encoded frame; a record of an earlier version holds the encoded
// frame itself and must resume as it did, also a hand-written machine's
// frame that is itself a string (which the marker, not the value, tells
// apart from a text). Both run on the local backend, the record of the
// earlier form written into the store's log as that version wrote it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { orchestration } from "../../runtime/api.ts";
import type { Json } from "../../runtime/backends/types.ts";
import { createLocalBackend } from "../../runtime/backends/local/index.ts";
import { decode } from "../../runtime/codec.ts";
import { startHost } from "../../runtime/host.ts";
import { readCommittedObject } from "../../runtime/inspect.ts";
import type { Machine } from "../../runtime/machine.ts";
import { encodedFrameOf, instanceKey, type InstanceRecord } from "../../runtime/partitions/state/instance.ts";
import { compileModules } from "../entities/harness.ts";

const app = (await compileModules(["../runtime/fixtures/kept-frames.ts"])).get("kept-frames.ts");

/** A hand-written machine whose frame is a string: "waiting" until its event comes. */
const stringFrame: Machine = {
  name: "stringFrame",
  version: "s-1",
  graph: { states: [], transitions: [] },
  init: () => "starting",
  step(frame, wakes) {
    if (frame === "starting") return { frame: "waiting", commands: [{ kind: "waitEvent", taskId: 1, name: "go" }], outcome: { kind: "running" } };
    const data = wakes[0]!.result.ok ? wakes[0]!.result.value : undefined;
    return { frame, commands: [], outcome: { kind: "completed", output: `${String(frame)} then ${String(data)}` } };
  },
};
const definitions = [app.echo, app.waitsForEvent, orchestration("stringFrame", stringFrame)];
const ID = "frame-text-1";
const STRING_ID = "frame-text-2";

async function committedRecord(dir: string, id: string): Promise<InstanceRecord> {
  const b = await createLocalBackend({ dir }, 1);
  try {
    return (await readCommittedObject(b.store, 0, instanceKey(id))) as unknown as InstanceRecord;
  } finally {
    await b.close();
  }
}

/** Rewrites the committed records of `ids` as an earlier version stored them: the encoded frame itself, no marker. */
async function storeInEarlierForm(dir: string, ids: string[]): Promise<void> {
  const b = await createLocalBackend({ dir }, 1);
  try {
    const lease = (await b.store.acquireLease(0, "an earlier version", 60_000))!;
    const checkpoint = await b.store.readCheckpointState(0);
    const last = (await b.store.readCommits(0, checkpoint.logPosition)).at(-1)?.position ?? checkpoint.logPosition;
    const updates = [];
    for (const id of ids) {
      const rec = (await readCommittedObject(b.store, 0, instanceKey(id))) as unknown as InstanceRecord;
      const earlier: Record<string, unknown> = { ...rec, frame: encodedFrameOf(rec) };
      delete earlier.frameText;
      updates.push({ key: instanceKey(id), value: earlier as Json });
    }
    await b.store.appendCommit(lease, { position: last + 1, epoch: lease.epoch, updates, statusUpdates: [] });
    await b.store.releaseLease(lease);
  } finally {
    await b.close();
  }
}

test("a frame is stored as its JSON text; a record of the earlier form (the encoded frame itself) resumes as before", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nwc-frame-text-"));
  try {
    let host = await startHost({ app: definitions, backend: { kind: "local", dir }, partitions: 1, log: () => {} });
    await host.client.start(app.waitsForEvent, null, { instanceId: ID });
    await host.client.start(definitions[2]!, null, { instanceId: STRING_ID });
    const waiting = async () => (await host.client.status(ID))?.status === "Running" && (await host.client.status(STRING_ID))?.status === "Running";
    for (let i = 0; !(await waiting()); i++) {
      if (i > 1000) throw new Error("the instances never started");
      await new Promise((r) => setTimeout(r, 10));
    }
    await host.stop();

    const stored = await committedRecord(dir, ID);
    assert.is(stored.frameText, true);
    assert.type(stored.frame, "string");
    const frame = decode(JSON.parse(stored.frame as string)) as { nwc: number; branches: object };
    assert.is(frame.nwc, 1, "the text is the encoded frame of the compiled machine");
    assert.is(Object.keys(frame.branches).length, 1);
    assert.is((await committedRecord(dir, STRING_ID)).frame, JSON.stringify("waiting"));

    await storeInEarlierForm(dir, [ID, STRING_ID]);
    const earlier = await committedRecord(dir, ID);
    assert.is(earlier.frameText, undefined);
    assert.type(earlier.frame, "object");
    assert.is((await committedRecord(dir, STRING_ID)).frame, "waiting", "the hand-written frame, a string, stored as itself");

    host = await startHost({ app: definitions, backend: { kind: "local", dir }, partitions: 1, log: () => {} });
    try {
      await host.client.raise(ID, "go", 41);
      await host.client.raise(STRING_ID, "go", 7);
      const done = await host.client.wait(ID, { timeoutMs: 10_000 });
      assert.equal([done.status, done.output], ["Completed", 42]);
      const doneString = await host.client.wait(STRING_ID, { timeoutMs: 10_000 });
      assert.equal([doneString.status, doneString.output], ["Completed", "waiting then 7"]);
    } finally {
      await host.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
