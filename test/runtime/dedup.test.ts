/** DedupState and OutboxState: the exactly-once bookkeeping, checked directly. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { admit, CLIENT_SENDER_TTL_MS, emptyDedup, MAX_CLIENT_SENDERS, MAX_HELD_PER_SENDER, noteClient } from "../../runtime/partitions/state/dedup.ts";
import { acknowledge, emptyOutbox, enqueue } from "../../runtime/partitions/state/outbox.ts";

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

test("outbox: contiguous seqs; acks drop confirmed entries only; an ack beyond what was sent is an error", () => {
  const o = emptyOutbox(2);
  assert.is(enqueue(o, { a: 1 }, 7).seq, 1);
  assert.is(enqueue(o, { a: 2 }, 7).seq, 2);
  assert.is(enqueue(o, { a: 3 }, 8).seq, 3);
  assert.is(acknowledge(o, 2), 2);
  assert.equal(o.pending.map((e) => e.seq), [3]);
  assert.is(acknowledge(o, 2), 0);
  assert.throws(() => acknowledge(o, 4), /only 3 were sent/);
});

test.run();
