// An upgrade interrupted by SIGKILL of the host: every instance is wholly old (version and frame of v1)
// or wholly new (of v2); a restarted host and a second request carry the rest, and all finish on v2.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "../../runtime/client.ts";
import { readInstanceRecord } from "../../runtime/instance-waits.ts";
import { encodedFrameOf } from "../../runtime/partitions/state/instance.ts";
import { startNode } from "../cli/instance-process.ts";
import { build, V1, V2 } from "./apps.ts";

const COUNT = 40;
const CHILD = "test/upgrade/upgrade-host-child.ts";

test("SIGKILL of the host during an upgrade leaves each instance old or new; a restart finishes all", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nwc-upgrade-crash-"));
  const [v1, v2] = [await build(V1), await build(V2)];
  const versions = { old: v1.loop.machine.version as string, new: v2.loop.machine.version as string };
  const modules = { old: v1.loop.machine.upgrade.module as string, new: v2.loop.machine.upgrade.module as string };
  const ids = Array.from({ length: COUNT }, (_, i) => `u-${i}`);
  const children = [];
  try {
    const first = startNode([CHILD, dir, "v1", String(COUNT)]);
    children.push(first);
    await first.waitFor(/READY/);
    first.process.kill("SIGKILL");
    await first.exited;

    // The host's own client asks for the upgrade; the kill comes as soon as one instance is new
    // (the other partition may not have applied its share yet).
    const host = startNode([CHILD, dir, "both", "upgrade"]);
    children.push(host);
    await host.waitFor(/READY/);
    const client = await connect({ backend: { kind: "local", dir }, partitions: 2 });
    for (let seenNew = false; !seenNew && host.process.exitCode === null;) {
      for (const id of ids) if ((await readInstanceRecord(client.backend.store, 2, id))?.version === versions.new) seenNew = true;
    }
    host.process.kill("SIGKILL");
    await host.exited;
    let upgraded = 0;
    for (const id of ids) {
      const rec = (await readInstanceRecord(client.backend.store, 2, id))!;
      const side = rec.version === versions.new ? "new" : rec.version === versions.old ? "old" : undefined;
      assert.ok(side, `${id} runs version ${rec.version}`);
      const frame = encodedFrameOf(rec) as any;
      const fns = Object.values(frame.branches ?? {}).map((b: any) => String(b.fn));
      const text = JSON.stringify(frame);
      assert.ok(text.includes(modules[side!]) && !text.includes(modules[side === "new" ? "old" : "new"]), `${id}: version ${side} with a frame of ${text.slice(0, 200)} (${fns})`);
      if (side === "new") upgraded++;
    }
    assert.ok(upgraded >= 1, "the kill came after at least one instance was upgraded");
    console.log(`upgraded before the kill: ${upgraded} of ${COUNT}`);

    const restarted = startNode([CHILD, dir, "both", "upgrade"]);
    children.push(restarted);
    const [, results] = await restarted.waitFor(/UPGRADED (.*)\n/);
    // The first request's messages not yet applied at the kill are still in the channel: the restarted
    // host applies them first, so the second request finds more instances already new.
    const said = JSON.parse(results!) as string[];
    assert.equal(said.filter((r) => r !== "upgraded" && r !== "already on the latest version"), []);
    assert.ok(said.filter((r) => r !== "upgraded").length >= upgraded);
    restarted.process.kill("SIGKILL");
    await restarted.exited;
    // A last host finishes them all: it is the one that runs them, so raises are sent by its client.
    const finisher = startNode([CHILD, dir, "both", "finish"]);
    children.push(finisher);
    const [, outputs] = await finisher.waitFor(/FINISHED (.*)\n/);
    assert.equal(JSON.parse(outputs!), ids.map(() => ["Completed", "v2 X=a;Y=b"]));
    await client.close();
  } finally {
    for (const c of children) if (c.process.exitCode === null) c.process.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
