/**
 * Every example in examples/ runs compiled (the way `nwc run` loads it:
 * runtime/app-loader.ts, compile-on-load or the compiler's API) on a memory
 * host and gives its documented result.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadAppFile } from "../../runtime/app-loader.ts";
import { startHost } from "../../runtime/host.ts";

const hasCompiler =
  existsSync(fileURLToPath(new URL("../../compiler/register.ts", import.meta.url))) ||
  existsSync(fileURLToPath(new URL("../../compiler/load.ts", import.meta.url)));
const WAIT = { timeoutMs: 20_000 };

async function hostFor(file: string) {
  const loaded = await loadAppFile(fileURLToPath(new URL(`../../examples/${file}`, import.meta.url)));
  const mod = loaded.exports as Record<string, any>;
  const host = await startHost({ app: loaded.definitions, backend: "memory", partitions: 2, log: () => undefined });
  return { mod, host, client: host.client };
}

const t = hasCompiler ? test : test.skip;

test("every example exports the orchestrations its header names, defined with the author API", async () => {
  const expected: Record<string, string[]> = {
    "hello-sequence.ts": ["helloSequence", "hello5"],
    "fan-out-fan-in.ts": ["fanOutFanIn"],
    "human-approval.ts": ["approvalWorkflow"],
    "monitor.ts": ["monitor"],
    "chaining-retries.ts": ["orderWorkflow"],
  };
  for (const [file, names] of Object.entries(expected)) {
    // Through the same loader as the other tests: a module imported uncompiled first would stay cached uncompiled.
    const mod = hasCompiler ? (await loadAppFile(fileURLToPath(new URL(`../../examples/${file}`, import.meta.url)))).exports : await import(`../../examples/${file}`);
    for (const name of names) {
      assert.is(mod[name]?.kind, "orchestration", `${file} exports ${name}`);
      assert.is(mod[name].name, name);
      assert.ok(mod[name].fn || mod[name].machine, `${file}: ${name} has a body`);
    }
  }
});

t("hello-sequence: helloSequence and hello5", async () => {
  const { mod, host, client } = await hostFor("hello-sequence.ts");
  try {
    const s = await client.wait(await client.start(mod.helloSequence, ["Tokyo", "Seattle", "London"]), WAIT);
    assert.equal(s.output, ["Hello Tokyo!", "Hello Seattle!", "Hello London!"]);
    const five = await client.wait(await client.start(mod.hello5, null), WAIT);
    assert.is((five.output as string[]).length, 5);
  } finally {
    await host.stop();
  }
});

t("fan-out-fan-in", async () => {
  const { mod, host, client } = await hostFor("fan-out-fan-in.ts");
  try {
    const s = await client.wait(await client.start(mod.fanOutFanIn, ["a.txt", "bb.txt", "ccc.txt"]), WAIT);
    assert.equal(s.output, { items: 3, total: 1800 });
  } finally {
    await host.stop();
  }
});

t("human-approval: the event wins, or the timer escalates", async () => {
  const { mod, host, client } = await hostFor("human-approval.ts");
  try {
    const id = await client.start(mod.approvalWorkflow, { request: "boat", timeoutMs: 30_000 });
    for (let i = 0; i < 200 && (await client.status(id))?.customStatus !== "waiting for approval"; i++) await new Promise((r) => setTimeout(r, 10));
    await client.raise(id, "approval", { approved: true, by: "alice" });
    assert.equal((await client.wait(id, WAIT)).output, { outcome: "approved", by: "alice" });
    const late = await client.wait(await client.start(mod.approvalWorkflow, { request: "car", timeoutMs: 100 }), WAIT);
    assert.equal(late.output, { outcome: "escalated", note: "escalated car to the manager" });
  } finally {
    await host.stop();
  }
});

t("monitor: periodic timer with continue-as-new", async () => {
  const { mod, host, client } = await hostFor("monitor.ts");
  try {
    const s = await client.wait(await client.start(mod.monitor, { jobId: "job-7", round: 0, maxRounds: 5, intervalMs: 20 }), WAIT);
    assert.is(s.output, "sent: job-7 finished after 3 rounds");
    assert.equal(s.input, { jobId: "job-7", round: 3, maxRounds: 5, intervalMs: 20 });
  } finally {
    await host.stop();
  }
});

t("chaining-retries: retried to success; a declined card is compensated", async () => {
  const { mod, host, client } = await hostFor("chaining-retries.ts");
  try {
    const ok = await client.wait(await client.start(mod.orderWorkflow, { orderId: "o-1", card: "ok" }), WAIT);
    assert.equal(ok.output, { ok: true, steps: ["reserved for o-1 on attempt 3", "charged o-1"] });
    const bad = await client.wait(await client.start(mod.orderWorkflow, { orderId: "o-2", card: "declined" }), WAIT);
    assert.equal(bad.output, { ok: false, error: "PaymentDeclined: card declined for o-2", steps: ["reserved for o-2 on attempt 3", "released stock of o-2"] });
  } finally {
    await host.stop();
  }
});

test.run();
