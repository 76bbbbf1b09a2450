// Retention across hosts: a version with no instance on it stays stored while a
// live host holds it (that host may start an instance on it at any moment, as
// in a rolling deploy where an old build and a new one run side by side); a hold
// released at a clean stop, or not renewed within the grace (a host that died),
// no longer keeps it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createMemoryBackend } from "../../runtime/backends/memory/index.ts";
import { App } from "../../runtime/partitions/app.ts";
import { VersionKeeper } from "../../runtime/versions/keeper.ts";
import { MemoryVersionStore } from "../../runtime/versions/memory-store.ts";

const GRACE = 1_000;
const noTools = async () => ({ modules: {} as never });

test("a held version is kept with no instance on it; released or expired, a sweep deletes it; the holder stores it again", async () => {
  const backend = createMemoryBackend({ partitions: 1 });
  const versions = new MemoryVersionStore();
  let now = 10_000;
  const keeper = (hostId: string) => new VersionKeeper(versions, () => undefined, noTools, hostId, () => now, GRACE);
  const oldBuild = keeper("old-build-host");
  const newBuild = keeper("new-build-host");
  const empty = App.from([]);
  try {
    await oldBuild.storeAll([{ name: "approval", version: "v1", code: "module.exports = {}" }]);
    assert.equal((await versions.list()).map((v) => [v.version, v.holders]), [["v1", { "old-build-host": 10_000 }]]);

    now += GRACE - 1;
    await newBuild.sweep(backend.store, empty);
    assert.equal((await versions.list()).map((v) => v.version), ["v1"], "held by a live host: kept");

    now += 2;
    await newBuild.sweep(backend.store, empty);
    assert.equal(await versions.list(), [], "the hold expired (its host is gone): deleted");

    // The old build's host is alive after all: its next renewal stores the version again.
    await oldBuild.storeAll([{ name: "approval", version: "v1", code: "module.exports = {}" }]);
    await newBuild.sweep(backend.store, empty);
    assert.equal((await versions.list()).map((v) => v.version), ["v1"]);
    await versions.release("approval", "v1", "old-build-host");
    await newBuild.sweep(backend.store, empty);
    assert.equal(await versions.list(), [], "released at a clean stop: deleted");
  } finally {
    await backend.close();
  }
});

test.run();
