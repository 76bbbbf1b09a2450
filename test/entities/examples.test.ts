/**
 * Every entity example runs on a host and gives the right result:
 * counter, bank (locked transfer), bank-transaction (all or nothing),
 * trip-saga (compensation in reverse order), aggregator (signals, ectx.start).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileModules, eventually, startTestHost } from "./harness.ts";

// Compiled in-process (compiler/index.ts + compiler/load.ts), the same lowering `nwc build` and compile-on-load use.
const compiled = true;
const test_ = test;
type M = any;
const mods = await compileModules(["../../examples/counter.ts", "../../examples/bank.ts", "../../examples/bank-transaction.ts", "../../examples/trip-saga.ts", "../../examples/aggregator.ts"]);
const counter: M = mods.get("counter.ts");
const bank: M = mods.get("bank.ts");
const bankTx: M = mods.get("bank-transaction.ts");
const trip: M = mods.get("trip-saga.ts");
const agg: M = mods.get("aggregator.ts");
const host: M = await startTestHost([...new Set([...counter.app, ...bank.app, ...bankTx.app, ...trip.app, ...agg.app])], { partitions: 4 });
const client: M = host.client;
const WAIT = { timeoutMs: 30_000 };

async function run(orch: unknown, input: unknown, id: string) {
  await client.start(orch, input, { instanceId: id });
  const s = await client.wait(id, WAIT);
  assert.is(s.status, "Completed", `${id}: ${JSON.stringify(s.error)}`);
  return s.output;
}

test_("counter: concurrent countTo runs never lose an update", async () => {
  const outputs = await Promise.all([0, 1, 2].map((i) => run(counter.countTo, { key: "c", times: 5 }, `count-${i}`)));
  assert.is(Math.max(...outputs), 15);
  assert.equal(await client.readEntity(counter.counter, "c"), { value: 15 });
});

test_("bank: locked transfers move money only when funds suffice", async () => {
  await run(bank.openAccounts, { keys: ["alice", "bob"], amount: 100 }, "bank-open");
  assert.is(await run(bank.transfer, { from: "alice", to: "bob", amount: 30 }, "bank-t1"), true);
  assert.is(await run(bank.transfer, { from: "alice", to: "bob", amount: 500 }, "bank-t2"), false);
  assert.equal(await client.readEntity(bank.account, "alice"), { balance: 70 });
  assert.equal(await client.readEntity(bank.account, "bob"), { balance: 130 });
});

test_("bank-transaction: a failing debit undoes the credit; a good one applies both", async () => {
  await run(bank.openAccounts, { keys: ["tx-a", "tx-b"], amount: 50 }, "tx-open");
  assert.is(await run(bankTx.transferTx, { from: "tx-a", to: "tx-b", amount: 80 }, "tx-t1"), false);
  assert.equal(await client.readEntity(bank.account, "tx-a"), { balance: 50 });
  assert.equal(await client.readEntity(bank.account, "tx-b"), { balance: 50 }, "the staged credit was dropped");
  assert.is(await run(bankTx.transferTx, { from: "tx-a", to: "tx-b", amount: 20 }, "tx-t2"), true);
  assert.equal(await client.readEntity(bank.account, "tx-a"), { balance: 30 });
  assert.equal(await client.readEntity(bank.account, "tx-b"), { balance: 70 });
  assert.is(await run(bankTx.auditTx, ["tx-a", "tx-b"], "tx-audit"), 100);
});

test_("trip-saga: all booked, or compensated in reverse order", async () => {
  const ok = await run(trip.bookTrip, { id: "t-ok" }, "trip-ok");
  assert.equal(ok, { status: "booked", refs: ["flight-t-ok", "hotel-t-ok", "car-t-ok"] });
  const failed = await run(trip.bookTrip, { id: "t-bad", failAt: "car" }, "trip-bad");
  assert.is(failed.status, "cancelled");
  assert.is(failed.reason, "no car available for trip t-bad");
  assert.equal(failed.compensated, ["cancelHotel", "cancelFlight"]);
  assert.equal(trip.providers.log.filter((l) => l.endsWith(":t-bad")), [
    "flight:booked:t-bad", "hotel:booked:t-bad", "car:failed:t-bad", "hotel:cancelled:t-bad", "flight:cancelled:t-bad",
  ]);
  assert.ok(!trip.providers.booked.has("flight-t-bad") && !trip.providers.booked.has("hotel-t-bad"));
  assert.ok(trip.providers.booked.has("car-t-ok"));
});

test("aggregator: every signalled reading counted once, in per-sender order", async () => {
  const readings: { device: string; value: number }[] = [];
  // Without the compiler stay under the alert threshold (an alert starts a compiled orchestration).
  const top = compiled ? 120 : 100;
  for (let i = 0; i < 60; i++) readings.push({ device: `d${i % 3}`, value: (i * 37) % top });
  for (const r of readings) await client.signal(agg.sensor, r.device, "reading", r.value);
  const state = await eventually("60 readings aggregated", async () => {
    const s = await client.readEntity(agg.aggregate, "all");
    return s?.count === readings.length ? s : undefined;
  });
  assert.is(state.sum, readings.reduce((a, r) => a + r.value, 0));
  assert.is(state.min, Math.min(...readings.map((r) => r.value)));
  assert.is(state.max, Math.max(...readings.map((r) => r.value)));
  for (const d of ["d0", "d1", "d2"]) {
    const mine = readings.filter((r) => r.device === d);
    assert.is(state.lastByDevice[d], mine[mine.length - 1].value, `${d}: the last reading sent is the last applied`);
    assert.is((await client.readEntity(agg.sensor, d)).readings, mine.length);
  }
  if (!compiled) return;
  const alerts = readings.filter((r) => r.value > 100);
  assert.ok(alerts.length > 0, "the workload must trigger alerts");
  const first = alerts[0];
  const s = await eventually("the first alert orchestration", async () => {
    const st = await client.status(`alert-${first.device}-1`);
    return st?.status === "Completed" ? st : undefined;
  });
  assert.is(s.output, `device ${first.device} read ${first.value}`);
  assert.equal(await run(agg.summarize, undefined, "summary"), { count: state.count, sum: state.sum, min: state.min, max: state.max });
});

test("bank account entity: a withdraw that would overdraw throws and changes nothing", async () => {
  await client.signal(bank.account, "solo", "add", 10);
  await client.signal(bank.account, "solo", "withdraw", 25);
  await client.signal(bank.account, "solo", "withdraw", 4);
  const s = await eventually("both withdraws", async () => {
    const st = await client.readEntity(bank.account, "solo");
    return st?.balance !== 10 ? st : undefined;
  });
  assert.equal(s, { balance: 6 });
});

test.after(async () => {
  await host.stop();
});

test.run();
