// A step that never ends (an endless loop, runaway recursion) fails its
// instance with StepBudgetExceeded, naming the orchestration and the line,
// instead of freezing its partition; code that catches the error cannot run
// on; a restart recovers without running the step for ever; other instances
// carry on. The budget counts loop iterations and calls, so the outcome does
// not depend on the machine's speed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startHost } from "../../runtime/host.ts";
import { compileModules } from "../entities/harness.ts";

const app = (await compileModules(["../runtime/fixtures/runaway.ts"])).get("runaway.ts");
const definitions = [app.echo, app.spin, app.spinCaught, app.recurse, app.bounded];
const BUDGET = 200_000;

test("an endless loop fails its instance with StepBudgetExceeded at its line; other instances complete", async () => {
  const host = await startHost({ app: definitions, backend: "memory", partitions: 1, log: () => {}, partitionOptions: { stepBudget: BUDGET } });
  try {
    const spinning = await host.client.start(app.spin, 3);
    const fine = await host.client.start(app.bounded, 1_000);
    const s = await host.client.wait(spinning, { timeoutMs: 20_000 });
    assert.is(s.status, "Failed");
    assert.is(s.error?.name, "StepBudgetExceeded");
    assert.match(s.error!.message, /orchestration "spin": a step ran more than 200,000 loop iterations and calls .*at line 9/);
    assert.equal((await host.client.wait(fine, { timeoutMs: 20_000 })).output, 499_500 + 1);
  } finally {
    await host.stop();
  }
});

test("catching the error does not let the step run on; runaway recursion is counted too", async () => {
  const host = await startHost({ app: definitions, backend: "memory", partitions: 1, log: () => {}, partitionOptions: { stepBudget: BUDGET } });
  try {
    const caught = await host.client.wait(await host.client.start(app.spinCaught, 1), { timeoutMs: 20_000 });
    assert.is(caught.status, "Failed");
    assert.is(caught.error?.name, "StepBudgetExceeded");
    const deep = await host.client.wait(await host.client.start(app.recurse, 40), { timeoutMs: 20_000 });
    assert.is(deep.status, "Failed");
    assert.match(deep.error!.message, /at line 24/);
  } finally {
    await host.stop();
  }
});

test("the default budget lets a long but finite step finish", async () => {
  const host = await startHost({ app: definitions, backend: "memory", partitions: 1, log: () => {} });
  try {
    const s = await host.client.wait(await host.client.start(app.bounded, 1_000_000), { timeoutMs: 60_000 });
    assert.is(s.status, "Completed", JSON.stringify(s.error));
  } finally {
    await host.stop();
  }
});

test("local backend: after a runaway step a restarted host recovers at once and the instance stays Failed", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "nwc-budget-"));
  try {
    const options = { app: definitions, backend: { kind: "local" as const, dir }, partitions: 1, log: () => {}, partitionOptions: { stepBudget: BUDGET } };
    const first = await startHost(options);
    const id = await first.client.start(app.spin, 2);
    assert.is((await first.client.wait(id, { timeoutMs: 20_000 })).status, "Failed");
    await first.stop();
    const second = await startHost(options);
    try {
      assert.is((await second.client.status(id))?.status, "Failed");
      const after = await second.client.wait(await second.client.start(app.bounded, 10), { timeoutMs: 20_000 });
      assert.is(after.status, "Completed");
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
