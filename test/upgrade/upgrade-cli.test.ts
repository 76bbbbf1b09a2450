// `nwc upgrade` against a store directory on which a host runs: the report, --dry-run, --json, exit codes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as upgradeCmd from "../../cli/commands/upgrade.ts";
import { startHost } from "../../runtime/host.ts";
import { inProcess } from "../cli/run-command.ts";
import { build, V1, V2 } from "./apps.ts";
import { orchestrationsOf } from "./app-parts.ts";

test("nwc upgrade --dir: dry run, then the upgrade, one line per instance", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nwc-upgrade-cli-"));
  const [v1, v2] = [await build(V1), await build(V2)];
  let host = await startHost({ app: [v1], backend: { kind: "local", dir }, partitions: 2, log: () => undefined });
  try {
    for (const id of ["c1", "c2"]) await host.client.start("loop", ["x"], { instanceId: id });
    for (const id of ["c1", "c2"]) while ((await host.client.status(id))?.customStatus !== "waiting") await new Promise((r) => setTimeout(r, 10));
    await host.stop();
    host = await startHost({ app: [orchestrationsOf(v1), v2], backend: { kind: "local", dir }, partitions: 2, log: () => undefined });
    const from = v1.loop.machine.version, to = v2.loop.machine.version;
    const dry = await inProcess(upgradeCmd, "loop", "--dry-run", "--dir", dir);
    assert.is(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout.trim().split("\n").sort(), [`c1  would upgrade  ${from} -> ${to}`, `c2  would upgrade  ${from} -> ${to}`]);
    const real = await inProcess(upgradeCmd, "loop", "--json", "--dir", dir);
    assert.is(real.code, 0, real.stderr);
    assert.equal((JSON.parse(real.stdout) as any[]).map((l) => [l.instanceId, l.result, l.to]).sort(), [["c1", "upgraded", to], ["c2", "upgraded", to]]);
    await host.client.raise("c1", "go", "e");
    assert.is((await host.client.wait("c1", { timeoutMs: 20_000 })).output, "v2 X=e");
    const usage = await inProcess(upgradeCmd, "--dir", dir);
    assert.is(usage.code, 2);
    assert.match(usage.stderr, /usage: nwc upgrade <orchestration>/);
  } finally {
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
