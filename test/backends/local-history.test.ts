// History steps (a step's value is its row's JSON text, state/history-row.ts) go into the local store's commit
// records, checkpoint deltas and snapshots, and read back the same from each, also after a take-over, which
// checks every file; so do steps of earlier versions (a HistoryStep's JSON text, or the object).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createLocalBackend } from "../../runtime/backends/local/index.ts";
import { readHistory } from "../../runtime/history-reader.ts";
import { stepRowTail, stepText as rowText, wakeRow } from "../../runtime/partitions/state/history-row.ts";

const MESSAGE = 'a "quoted" message \u2028 \ud800 é';
const step = (seq: number) => ({ seq, atMs: 1764900000000 + seq, wakes: [{ taskId: seq, kind: "activity", ok: false, name: "greet", error: { name: "Error", message: MESSAGE } }], commands: [], outcome: "running" });
/** The stored text of step(seq): its row for odd seqs (this version), the object's JSON text for even ones (earlier versions). */
function stepText(seq: number): string {
  if (seq % 2 === 0) return JSON.stringify(step(seq));
  return rowText(seq, stepRowTail(1764900000000 + seq, "running", wakeRow(seq, "activity", false, "greet", undefined, ["Error", MESSAGE]), "", "", 0, undefined));
}

test("a store with steps in its log, a delta and a snapshot reads back the same history", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nwc-local-history-"));
  try {
    const b = await createLocalBackend({ dir }, 1);
    const lease = (await b.store.acquireLease(0, "me", 60_000))!;
    const write = (position: number, seq: number) =>
      b.store.appendCommit(lease, { position, epoch: lease.epoch, updates: [{ key: `hist:x:${seq}`, value: stepText(seq) }], statusUpdates: [] });
    // 18 checkpoints: more than 16 deltas are compacted into checkpoint.json, and the last ones stay deltas.
    for (let seq = 1; seq <= 18; seq++) {
      await write(seq, seq);
      await b.store.writeCheckpoint(lease, { logPosition: seq }, [{ key: `hist:x:${seq}`, value: stepText(seq) }]);
    }
    await write(19, 19);
    // Files of an earlier version held steps as JSON objects, not as their text: they read back the same.
    await b.store.appendCommit(lease, { position: 20, epoch: lease.epoch, updates: [{ key: "hist:x:20", value: step(20) as never }], statusUpdates: [] });
    const expected = Array.from({ length: 20 }, (_, i) => step(i + 1));
    assert.equal((await readHistory(b.store, 1, "x")).steps, expected);
    const pdir = join(dir, "partitions", "p0");
    assert.ok(readFileSync(join(pdir, "checkpoint.json"), "utf8").includes(`"hist:x:1"`), "the compacted snapshot holds the first steps");
    assert.ok(readdirSync(pdir).some((n) => n.startsWith("delta-")), "and deltas the last ones");
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
