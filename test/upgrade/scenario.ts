/**
 * The upgrade scenarios, run against one backend spec (memory, local, aws):
 * a host runs v1 and its instances wait; a host whose app has v1 and v2 is
 * asked to upgrade them; they finish with v2's behaviour from the await on.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { BackendSpec } from "../../runtime/backends/index.ts";
import { startHost, type Host } from "../../runtime/host.ts";
import { build, RUNS, V1, V2, V3 } from "./apps.ts";
import { orchestrationsOf } from "./app-parts.ts";

const quiet = () => undefined;

const PARTITIONS = 2;

async function untilWaiting(host: Host, id: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const s = await host.client.status(id);
    if (s?.customStatus === "waiting") return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${id} never waited`);
}

async function startAll(host: Host, prefix: string): Promise<void> {
  for (const run of RUNS) await host.client.start(run.name, run.input, { instanceId: `${prefix}-${run.name}` });
  for (const run of RUNS) await untilWaiting(host, `${prefix}-${run.name}`);
}

async function finishAll(host: Host, prefix: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const run of RUNS) {
    const id = `${prefix}-${run.name}`;
    for (let k = 0; k < run.events; k++) await host.client.raise(id, "go", `e${k}`);
    const s = await host.client.wait(id, { timeoutMs: 20_000 });
    assert.is(s.status, "Completed", `${id}: ${JSON.stringify(s.error)}`);
    out[run.name] = s.output;
  }
  return out;
}

/** The hosts a failed test leaves running, stopped by the next test so the process can end. */
const running = new Set<Host>();

async function done(host: Host, stop?: () => Promise<void>): Promise<void> {
  running.delete(host);
  await host.stop();
  await stop?.();
}

async function startTracked(options: Parameters<typeof startHost>[0]): Promise<Host> {
  for (const h of running) await h.stop().catch(() => undefined);
  running.clear();
  const host = await startHost(options);
  running.add(host);
  return host;
}

test.after(async () => {
  for (const h of running) await h.stop().catch(() => undefined);
});

export function upgradeScenarios(label: string, backend: () => Promise<{ spec: BackendSpec | any; stop?: () => Promise<void> }>): void {
  test(`${label}: client.upgrade moves waiting instances in loops, try/finally, Promise.all and closures; they finish with the new code`, async () => {
    const [v1, v2] = [await build(V1), await build(V2)];
    const { spec, stop } = await backend();
    let host = await startTracked({ app: [v1], backend: spec, partitions: PARTITIONS, log: quiet });
    await startAll(host, "m");
    await done(host);
    host = await startTracked({ app: [orchestrationsOf(v1), v2], backend: spec, partitions: PARTITIONS, log: quiet });
    const dry = await host.client.upgrade({ name: "loop" }, { to: "latest", dryRun: true });
    assert.equal(dry.map((l) => [l.instanceId, l.result, l.dryRun]), [["m-loop", "upgraded", true]]);
    const lines = [];
    for (const run of RUNS) lines.push(...(await host.client.upgrade(`m-${run.name}`, { to: "latest" })));
    assert.equal(lines.map((l) => [l.instanceId, l.result, l.reason]), RUNS.map((r) => [`m-${r.name}`, "upgraded", undefined]));
    assert.equal(lines.map((l) => [l.from, l.to]), RUNS.map((r) => [v1[r.name].machine.version, v2[r.name].machine.version]));
    const again = await host.client.upgrade("m-loop", { to: "latest" });
    assert.equal(again.map((l) => [l.result, l.reason]), [["kept", "already on the latest version"]]);
    const out = await finishAll(host, "m");
    assert.equal(out, Object.fromEntries(RUNS.map((r) => [r.name, r.v2])));
    assert.is((await host.client.status("m-guarded"))!.customStatus, "v2 cleanup e0");
    await done(host, stop);
  });

  test(`${label}: an instance that cannot be carried is kept, with the reason, and finishes on its version`, async () => {
    const [v1, v3] = [await build(V1), await build(V3)];
    const { spec, stop } = await backend();
    let host = await startTracked({ app: [v1], backend: spec, partitions: PARTITIONS, log: quiet });
    await startAll(host, "k");
    await done(host);
    host = await startTracked({ app: [orchestrationsOf(v1), v3], backend: spec, partitions: PARTITIONS, log: quiet });
    const lines = await host.client.upgrade({ name: "loop" }, { to: "latest" });
    assert.equal(lines.map((l) => [l.instanceId, l.result, l.reason]), [
      ["k-loop", "kept", 'await at line 7 removed (no `await ctx.waitForEvent<string>("go")` in the same loop, try and branch structure)'],
    ]);
    const out = await finishAll(host, "k");
    assert.equal(out, Object.fromEntries(RUNS.map((r) => [r.name, r.v1])));
    await done(host, stop);
  });

  test(`${label}: upgrade: "auto" moves instances of an older version when they next step`, async () => {
    const [v1, v2auto] = [await build(V1), await build(V2, true)];
    const { spec, stop } = await backend();
    let host = await startTracked({ app: [v1], backend: spec, partitions: PARTITIONS, log: quiet });
    await startAll(host, "a");
    await done(host);
    host = await startTracked({ app: [orchestrationsOf(v1), v2auto], backend: spec, partitions: PARTITIONS, log: quiet });
    const out = await finishAll(host, "a");
    assert.equal(out, Object.fromEntries(RUNS.map((r) => [r.name, r.v2])));
    await done(host, stop);
  });
}
