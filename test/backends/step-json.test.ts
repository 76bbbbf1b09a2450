// History steps go into the local store's commit records, checkpoint deltas and snapshots as the JSON they
// are, not as escaped strings (runtime/backends/local/step-json.ts): the texts parse to the same data (steps
// as objects), and re-stringify to the same text, which is how a sealed checkpoint's checksum is checked.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createLocalBackend } from "../../runtime/backends/local/index.ts";
import { jsonWithObjects, jsonWithUpdates } from "../../runtime/backends/local/step-json.ts";
import type { ObjectUpdate } from "../../runtime/backends/types.ts";
import { readHistory } from "../../runtime/history-reader.ts";

const step = (seq: number, message = 'a "quoted" message \u2028 \ud800 é') => ({ seq, atMs: 1764900000000 + seq, wakes: [{ taskId: seq, kind: "activity", ok: false, name: "greet", error: { name: "Error", message } }], commands: [], outcome: "running" });
const updates = (): ObjectUpdate[] => [
  { key: "inst:a", value: { name: "hist:not-a-step", n: 1 } },
  { key: "hist:a:1", value: JSON.stringify(step(1)) },
  { key: "hist:a:2", value: null },
  { key: "act:a:1", value: "a string that is not a step" },
];

test("a commit record's step texts are embedded as JSON: it parses to the steps, and re-stringifies to the same text", () => {
  const record = { position: 3, epoch: 1, updates: updates(), statusUpdates: [], inputPosition: "0:10" };
  const text = jsonWithUpdates(record);
  assert.ok(text.includes(`"value":{"seq":1,`), "the step is not an escaped string");
  const parsed = JSON.parse(text);
  // The history's updates (a step, a step's deletion) come last, in their order: updates of other keys commute.
  assert.equal(parsed.updates, [updates()[0], updates()[3], { key: "hist:a:1", value: step(1) }, updates()[2]]);
  assert.is(parsed.position, 3);
  assert.is(parsed.inputPosition, "0:10");
  assert.is(JSON.stringify(parsed), text);
  assert.is(jsonWithUpdates({ position: 1, updates: [updates()[0]!] }), JSON.stringify({ position: 1, updates: [updates()[0]] }), "no step: plain JSON");
});

test("a step written and deleted by the cap in one record stays deleted: a key's updates keep their order", () => {
  const record = { position: 1, updates: [{ key: "hist:a:1", value: JSON.stringify(step(1)) }, { key: "inst:a", value: { n: 1 } }, { key: "hist:a:1", value: null }] };
  const applied = new Map<string, unknown>();
  for (const u of JSON.parse(jsonWithUpdates(record)).updates) applied.set(u.key, u.value);
  assert.equal(Object.fromEntries(applied), { "inst:a": { n: 1 }, "hist:a:1": null });
  assert.equal(JSON.parse(jsonWithUpdates({ position: 1, updates: [{ key: "hist:a:1", value: null }] })).updates, [{ key: "hist:a:1", value: null }], "a deletion alone");
});

test("a snapshot's step texts are embedded as JSON", () => {
  const text = jsonWithObjects({ state: { logPosition: 4 }, objects: [["hist:a:1", JSON.stringify(step(1))], ["inst:a", { n: 1 }], ["hist:a:2", step(2) as never]], statuses: [] });
  const parsed = JSON.parse(text);
  assert.equal(parsed.objects, [["inst:a", { n: 1 }], ["hist:a:1", step(1)], ["hist:a:2", step(2)]]);
  assert.is(JSON.stringify(parsed), text);
});

test("a store with steps in its log, a delta and a snapshot reads back the same history", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nwc-stepjson-"));
  try {
    const b = await createLocalBackend({ dir }, 1);
    const lease = (await b.store.acquireLease(0, "me", 60_000))!;
    const write = (position: number, seq: number) =>
      b.store.appendCommit(lease, { position, epoch: lease.epoch, updates: [{ key: `hist:x:${seq}`, value: JSON.stringify(step(seq)) }], statusUpdates: [] });
    // 18 checkpoints: more than 16 deltas are compacted into checkpoint.json, and the last ones stay deltas.
    for (let seq = 1; seq <= 18; seq++) {
      await write(seq, seq);
      await b.store.writeCheckpoint(lease, { logPosition: seq }, [{ key: `hist:x:${seq}`, value: JSON.stringify(step(seq)) }]);
    }
    await write(19, 19);
    const expected = Array.from({ length: 19 }, (_, i) => step(i + 1));
    assert.equal((await readHistory(b.store, 1, "x")).steps, expected);
    const pdir = join(dir, "partitions", "p0");
    assert.ok(readFileSync(join(pdir, "checkpoint.json"), "utf8").includes(`["hist:x:1",{"seq":1,`), "the snapshot holds steps as JSON");
    const delta = readdirSync(pdir).filter((n) => n.startsWith("delta-")).at(-1)!;
    assert.ok(readFileSync(join(pdir, delta), "utf8").includes(`"value":{"seq":18,`), "a delta too");
    await b.store.releaseLease(lease);
    await b.close();
    const again = await createLocalBackend({ dir }, 1);
    await again.store.acquireLease(0, "other", 60_000);
    assert.equal((await readHistory(again.store, 1, "x")).steps, expected, "after a take-over, which checks every file");
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
