/**
 * Crash at every step of the lock protocol, on the real partition core: the
 * store's commit is wrapped so that the n-th commit record that carries a
 * given protocol step crashes its partition just before, or just after, it is
 * written; the host recovers the partition (checkpoint + commit log + outbox
 * re-send). Steps: a lock request leaving the holder or forwarded by an
 * entity, a request queued at an entity, the grant, a call under lock, the
 * reply, a transaction end, a release. After each run: every instance ended as
 * expected, the money is conserved and applied exactly once, a lock over all
 * accounts is granted, and no durable record keeps lock state (0 stuck locks).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { CommitRecord, Lease } from "../../runtime/backends/types.ts";
import { createMemoryBackend, SimulatedCrash } from "../../runtime/backends/memory/index.ts";
import { lockLeftovers } from "./durable-state.ts";
import * as g from "./gen-app.ts";
import { startTestHost } from "./harness.ts";

type Step = "lockRequest" | "queued" | "lockGranted" | "taggedCall" | "reply" | "transactionEnd" | "lockRelease";
const STEPS: Step[] = ["lockRequest", "queued", "lockGranted", "taggedCall", "reply", "transactionEnd", "lockRelease"];
/** Crash at the first, second and third commit of each step: the holder's and the entities' sides both come up. */
const OCCURRENCES = 3;

/** The protocol steps a commit record carries: messages it puts in the outbox, and entity queues it grows. */
function stepsOf(record: CommitRecord): Set<Step> {
  const steps = new Set<Step>();
  for (const u of record.updates) {
    const v = u.value as any;
    // out:<to>:<seq>: one object per message put in the outbox (written by the batch that sent it).
    if (u.key.startsWith("out:") && v && v.logPosition === record.position) {
      const kind = v.body.kind;
      if (kind === "lockRequest" || kind === "lockGranted" || kind === "transactionEnd" || kind === "lockRelease") steps.add(kind);
      if (kind === "entityOperation" && v.body.requestId) steps.add("taggedCall");
      if (kind === "wake") steps.add("reply");
    }
    if (u.key.startsWith("ent:") && v?.ext?.lock?.queue?.length > 0) steps.add("queued");
  }
  return steps;
}

interface Scenario {
  transfers: { id: string; from: string; to: string; amount: number; tx: boolean }[];
}

const scenario: Scenario = {
  transfers: [
    { id: "x1", from: "a", to: "b", amount: 30, tx: false },
    { id: "x2", from: "b", to: "a", amount: 10, tx: true },
    { id: "x3", from: "c", to: "a", amount: 500, tx: true }, // fails: the staged credit to a is dropped
    { id: "x4", from: "b", to: "c", amount: 20, tx: false },
    { id: "x5", from: "d", to: "b", amount: 40, tx: true },
    { id: "x6", from: "a", to: "d", amount: 5, tx: false },
  ],
};
const KEYS = ["a", "b", "c", "d"];
const OPENING = 100;

async function runWithCrash(crash?: { step: Step; phase: "before" | "after"; occurrence: number }) {
  const backend = createMemoryBackend({ partitions: 3 });
  const append = backend.store.appendCommit.bind(backend.store);
  const seen: Record<string, number> = {};
  let crashed = 0;
  backend.store.appendCommit = async (lease: Lease, record: CommitRecord) => {
    const steps = stepsOf(record);
    let hit = false;
    for (const s of steps) {
      seen[s] = (seen[s] ?? 0) + 1;
      if (crash && s === crash.step && seen[s] - 1 === crash.occurrence) hit = true;
    }
    if (hit && crash!.phase === "before") {
      crashed++;
      throw new SimulatedCrash(`before commit ${record.position} (${crash!.step})`);
    }
    await append(lease, record);
    if (hit && crash!.phase === "after") {
      crashed++;
      throw new SimulatedCrash(`after commit ${record.position} (${crash!.step})`);
    }
  };
  const host = await startTestHost(g.genApp, { backend, partitions: 3 });
  const client = host.client as any;
  try {
    await client.start(g.genOpen, { keys: KEYS, amount: OPENING }, { instanceId: "open" });
    assert.is((await client.wait("open", { timeoutMs: 20_000 })).status, "Completed");
    // A holder terminated while acquiring or holding: its locks must come back.
    await client.start(g.genHold, ["c", "d"], { instanceId: "holder" });
    await Promise.all(scenario.transfers.map((t) =>
      client.start(t.tx ? g.genTransferTx : g.genTransfer, { from: t.from, to: t.to, amount: t.amount }, { instanceId: t.id })));
    await client.terminate("holder", "test");
    const expected = new Map(KEYS.map((k) => [k, OPENING]));
    for (const t of scenario.transfers) {
      const s = await client.wait(t.id, { timeoutMs: 30_000 });
      assert.is(s.status, "Completed", `${t.id}: ${s.status} ${JSON.stringify(s.error)}`);
      // Only x3 asks for more than its account can ever hold.
      assert.is(s.output, t.id !== "x3", `${t.id}: output ${s.output}`);
      if (s.output) {
        expected.set(t.from, expected.get(t.from)! - t.amount);
        expected.set(t.to, expected.get(t.to)! + t.amount);
      }
    }
    assert.is((await client.wait("holder", { timeoutMs: 30_000 })).status, "Terminated");
    await client.start(g.genAudit, KEYS, { instanceId: "audit" });
    const audit = await client.wait("audit", { timeoutMs: 30_000 });
    assert.is(audit.status, "Completed", "a lock over all accounts was not granted: a lock is stuck");
    assert.is(audit.output, KEYS.length * OPENING);
    for (const k of KEYS) assert.is((await client.readEntity(g.account, k)).balance, expected.get(k), `${k}: applied exactly once`);
    // The audit's own release may still be in flight: wait until no durable record keeps lock state.
    const deadline = Date.now() + 10_000;
    let left = await lockLeftovers(backend.store);
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      left = await lockLeftovers(backend.store);
    }
    assert.equal(left, [], "durable lock state left behind");
    return { seen, crashed };
  } finally {
    await host.stop();
  }
}

test("fault-free run covers every protocol step", async () => {
  const { seen } = await runWithCrash();
  for (const s of STEPS) assert.ok((seen[s] ?? 0) >= 1, `the scenario never produced step ${s}: ${JSON.stringify(seen)}`);
});

test("a crash before and after the commit of each protocol step: 0 stuck locks", async () => {
  let runs = 0, crashes = 0;
  for (const step of STEPS) {
    for (let occurrence = 0; occurrence < OCCURRENCES; occurrence++) {
      for (const phase of ["before", "after"] as const) {
        const r = await runWithCrash({ step, phase, occurrence });
        crashes += r.crashed;
        runs++;
      }
    }
  }
  assert.ok(crashes >= STEPS.length * 2, `only ${crashes} crashes in ${runs} runs`);
});

test.run();
