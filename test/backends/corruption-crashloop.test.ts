// The crash loop of the review: one flipped bit in a middle commit-log segment used to make the store cut the
// log there and delete every later segment (completed instances back to Running, entity state gone, then
// "outbox to 3: ack for seq 83 but only 59 were sent" forever). Now startHost refuses at once, naming the
// segment and the offset, and deletes nothing; with the segment restored, nothing is lost.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { StoreCorrupted } from "../../runtime/backends/errors.ts";
import { createLocalBackend } from "../../runtime/backends/local/index.ts";
import { startHost } from "../../runtime/host.ts";
import { ACCOUNTS, account, app, PARTITIONS, shop, fingerprint } from "./corruption-fixture.ts";

const SEGMENT_BYTES = 1024;
// No checkpoint: every segment since the start is kept and needed.
const partitionOptions = { checkpointEveryCommits: 1e9, checkpointIntervalMs: 1e9 };
const dirs: string[] = [];
test.after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function host(dir: string, logs: string[] = []) {
  const backend = await createLocalBackend({ dir, segmentBytes: SEGMENT_BYTES }, PARTITIONS);
  try {
    const h = await startHost({ app, backend, partitions: PARTITIONS, partitionOptions, log: (level, m) => logs.push(`${level}: ${m}`) });
    return { client: h.client, async stop() { await h.stop(); await backend.close(); } };
  } catch (error) {
    await backend.close();
    throw error;
  }
}

test("a flipped bit in a middle log segment: startHost refuses, names segment and offset, deletes nothing; restored, nothing is lost", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nwc-crashloop-"));
  dirs.push(dir);
  const first = await host(dir);
  const ids: string[] = [];
  for (let wave = 0; wave < 6; wave++) {
    const started = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => first.client.start(shop, wave * 6 + i, { instanceId: `loop-${wave}-${i}` })));
    for (const id of started) assert.is((await first.client.wait(id, { timeoutMs: 30_000 })).status, "Completed");
    ids.push(...started);
  }
  const outputs = await Promise.all(ids.map(async (id) => (await first.client.status(id))!.output));
  await first.stop();

  const pdirs = [...Array(PARTITIONS).keys()].map((p) => join(dir, "partitions", `p${p}`));
  const segs = pdirs.map((d) => readdirSync(d).filter((n) => n.endsWith(".seg")).sort().map((n) => join(d, n))).sort((a, b) => b.length - a.length)[0]!;
  assert.ok(segs.length >= 3, `a partition with 3 or more segments (${segs.length})`);
  const middle = segs[Math.floor(segs.length / 2)]!;
  const original = readFileSync(middle);
  const bytes = Buffer.from(original);
  const offset = Math.floor(bytes.length / 2);
  bytes[offset]! ^= 0x10;
  writeFileSync(middle, bytes);
  const before = fingerprint(dir);

  const started = Date.now();
  const error = await host(dir).then((h) => h.stop(), (e: unknown) => e);
  assert.instance(error, StoreCorrupted);
  const e = error as StoreCorrupted;
  assert.is(e.file, middle);
  assert.ok(e.offset !== undefined && e.offset <= offset, `offset ${e.offset} names the record holding byte ${offset}`);
  assert.match(e.message, new RegExp(`${middle.replace(/[/.]/g, "\\$&")} at byte ${e.offset}`));
  assert.ok(Date.now() - started < 5_000, "refused at once, not after retries");
  assert.equal(fingerprint(dir), before, "no segment truncated or deleted");

  writeFileSync(middle, original); // restored from a backup
  const logs: string[] = [];
  const again = await host(dir, logs);
  try {
    for (const [i, id] of ids.entries()) {
      const s = await again.client.status(id);
      assert.is(s?.status, "Completed", id);
      assert.equal(s?.output, outputs[i]);
    }
    const states = await Promise.all(ACCOUNTS.map((key) => again.client.readEntity(account, key)));
    assert.is(states.reduce((n, s) => n + (s as { adds: number }).adds, 0), ids.length, "entity state intact: every add applied once");
    const id = await again.client.start(shop, 99, { instanceId: "after-restore" });
    assert.is((await again.client.wait(id, { timeoutMs: 30_000 })).status, "Completed");
  } finally {
    await again.stop();
  }
  assert.equal(logs.filter((m) => m.startsWith("error")), [], "no partition crash-looped");
});

test.run();
