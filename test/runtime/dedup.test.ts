/** DedupState and OutboxState: the exactly-once bookkeeping, checked directly. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { admit, CLIENT_SENDER_TTL_MS, emptyDedup, MAX_CLIENT_SENDERS, MAX_HELD_PER_SENDER, noteClient } from "../../runtime/partitions/state/dedup.ts";
import { acknowledge, enqueue, entriesOfBatch, unconfirmed, upgradeLegacyOutbox } from "../../runtime/partitions/state/outbox.ts";

const env = (from: string, seq: number) => ({ from, to: 0, seq, body: { n: seq } });

test("in-order messages apply, duplicates are dropped", () => {
  const d = emptyDedup();
  assert.equal(admit(d, env("p1", 1)), { kind: "apply", bodies: [{ n: 1 }] });
  assert.equal(admit(d, env("p1", 1)), { kind: "duplicate" });
  assert.equal(admit(d, env("p1", 2)), { kind: "apply", bodies: [{ n: 2 }] });
  assert.is(d.last.p1, 2);
});

test("a gap holds later messages back until it closes, then releases them in order", () => {
  const d = emptyDedup();
  assert.equal(admit(d, env("c:x", 3)), { kind: "held" });
  assert.equal(admit(d, env("c:x", 4)), { kind: "held" });
  assert.equal(admit(d, env("c:x", 3)), { kind: "duplicate" });
  assert.equal(admit(d, env("c:x", 2)), { kind: "held" });
  assert.equal(admit(d, env("c:x", 1)), { kind: "apply", bodies: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }] });
  assert.is(d.last["c:x"], 4);
  assert.equal(d.held, {});
});

test("senders are independent", () => {
  const d = emptyDedup();
  admit(d, env("p1", 1));
  assert.equal(admit(d, env("p2", 1)).kind, "apply");
  assert.equal(admit(d, env("p2", 3)).kind, "held");
  assert.equal(admit(d, env("p1", 2)).kind, "apply");
});

test("held messages are bounded", () => {
  const d = emptyDedup();
  for (let i = 0; i < MAX_HELD_PER_SENDER; i++) assert.is(admit(d, env("p1", i + 2)).kind, "held");
  assert.is(admit(d, env("p1", MAX_HELD_PER_SENDER + 5)).kind, "overflow");
});

test("seq 0 or negative is a programming error", () => {
  assert.throws(() => admit(emptyDedup(), env("p1", 0)), /start at 1/);
});

test("idle client senders are forgotten beyond the bound; active ones and partitions are kept", () => {
  const d = emptyDedup();
  admit(d, env("p1", 1));
  for (let i = 0; i < MAX_CLIENT_SENDERS; i++) {
    admit(d, env(`c:${i}`, 1));
    noteClient(d, `c:${i}`, 0);
  }
  admit(d, env("c:new", 1));
  assert.ok(noteClient(d, "c:new", CLIENT_SENDER_TTL_MS + 1));
  assert.is(d.last["c:0"], undefined);
  assert.is(d.last["c:new"], 1);
  assert.is(d.last.p1, 1);
  assert.is(Object.keys(d.seen!).length, 1);
});

/** A pinned-object table: what the outbox functions see of the partition's ObjectTable, recording what a commit would carry. */
function objectTable() {
  const map = new Map<string, unknown>();
  const dirty = new Set<string>();
  return {
    map,
    dirty,
    get: <T>(k: string) => map.get(k) as T | undefined,
    set: (k: string, v: unknown) => void (map.set(k, v), dirty.add(k)),
    touch: (k: string) => void dirty.add(k),
    delete: (k: string) => void (map.delete(k), dirty.add(k)),
  };
}

test("outbox: contiguous seqs; acks drop confirmed entries only; an ack beyond what was sent is an error", () => {
  const o = objectTable();
  assert.is(enqueue(o, 2, { a: 1 }, 7).seq, 1);
  assert.is(enqueue(o, 2, { a: 2 }, 7).seq, 2);
  assert.is(enqueue(o, 2, { a: 3 }, 8).seq, 3);
  assert.equal(entriesOfBatch(o, 2, 7).map((e) => e.seq), [1, 2]);
  assert.equal(entriesOfBatch(o, 2, 8).map((e) => e.seq), [3]);
  enqueue(o, 2, { a: 4 }, 9);
  assert.equal(entriesOfBatch(o, 2, 8).map((e) => e.seq), [3], "entries of a later commit are skipped");
  assert.equal(entriesOfBatch(o, 2, 7).map((e) => e.seq), [1, 2]);
  assert.is(acknowledge(o, 2, 2), 2);
  assert.equal([...unconfirmed(o, 2)].map((e) => e.seq), [3, 4]);
  assert.is(acknowledge(o, 2, 2), 0);
  assert.is(acknowledge(o, 2, 1), 0, "acks are monotonic");
  assert.throws(() => acknowledge(o, 2, 5), /only 4 were sent/);
  assert.equal([...o.map.keys()].sort(), ["out:2:3", "out:2:4", "outbox:2"]);
});

test("outbox: a batch's commit carries its own messages and the counter, not the backlog", () => {
  const o = objectTable();
  for (let i = 0; i < 100; i++) enqueue(o, 1, { i }, 1);
  o.dirty.clear();
  enqueue(o, 1, { i: 100 }, 2);
  acknowledge(o, 1, 50);
  assert.is(o.dirty.size, 1 + 1 + 50, "counter, the new entry, 50 deletions");
  assert.equal(entriesOfBatch(o, 1, 2).map((e) => e.seq), [101]);
  assert.is([...unconfirmed(o, 1)].length, 51);
});

test("outbox: a legacy record (one list per receiver) is upgraded to counter + entries", () => {
  const o = objectTable();
  o.map.set("outbox:3", { to: 3, nextSeq: 6, pending: [{ seq: 4, body: { a: 4 }, logPosition: 9 }, { seq: 5, body: { a: 5 }, logPosition: 10 }] });
  upgradeLegacyOutbox(o, "outbox:3");
  assert.equal(o.map.get("outbox:3"), { to: 3, nextSeq: 6, acked: 3 });
  assert.equal([...unconfirmed(o, 3)].map((e) => [e.seq, e.logPosition]), [[4, 9], [5, 10]]);
  const empty = objectTable();
  empty.map.set("outbox:0", { to: 0, nextSeq: 8, pending: [] });
  upgradeLegacyOutbox(empty, "outbox:0");
  assert.equal(empty.map.get("outbox:0"), { to: 0, nextSeq: 8, acked: 7 });
});

test.run();
