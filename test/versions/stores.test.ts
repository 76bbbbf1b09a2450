// The VersionStore contract on memory and local (aws runs it through test/aws/versions-aws.test.ts):
// put is idempotent and keeps the first storedAt, get returns the exact text, list sorts, delete removes;
// a damaged local file is reported by get, never read as code; bad names are refused with the rule.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalVersionStore } from "../../runtime/versions/local-store.ts";
import { MemoryVersionStore } from "../../runtime/versions/memory-store.ts";
import type { VersionStore } from "../../runtime/versions/store.ts";

async function rejects(f: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await f();
  } catch (error) {
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
}

const CODE = `"use strict"; // é ✓ multi-byte\nmodule.exports = {};\n`;

function contract(kind: string, make: () => { store: VersionStore; cleanup(): void }): void {
  test(`${kind}: put, get, list, delete`, async () => {
    const { store, cleanup } = make();
    try {
      assert.equal(await store.list(), []);
      await store.put({ name: "order/approval", version: "b2", code: CODE });
      const [first] = await store.list();
      await new Promise((r) => setTimeout(r, 5));
      await store.put({ name: "order/approval", version: "b2", code: "other text" }); // idempotent: the first stays
      await store.put({ name: "order/approval", version: "a1", code: "x" });
      await store.put({ name: "billing", version: "c3", code: "y" });
      assert.is(await store.get("order/approval", "b2"), CODE);
      assert.is(await store.get("order/approval", "zz"), undefined);
      const listed = await store.list();
      assert.equal(listed.map((v) => `${v.name}@${v.version}`), ["billing@c3", "order/approval@b2", "order/approval@a1"]);
      assert.is(listed[1]!.storedAt, first!.storedAt);
      assert.is(listed[1]!.bytes, new TextEncoder().encode(CODE).byteLength);
      await store.delete("order/approval", "b2");
      await store.delete("order/approval", "b2"); // deleting what is gone is no error
      assert.is(await store.get("order/approval", "b2"), undefined);
      assert.equal((await store.list()).map((v) => v.version), ["c3", "a1"]);
    } finally {
      cleanup();
    }
  });

  test(`${kind}: bad names and versions are refused with the rule`, async () => {
    const { store, cleanup } = make();
    try {
      await rejects(() => store.put({ name: "", version: "a", code: "" }), /non-empty string/);
      await rejects(() => store.put({ name: "a", version: "../x", code: "" }), /letters, digits/);
    } finally {
      cleanup();
    }
  });
}

contract("memory", () => ({ store: new MemoryVersionStore(), cleanup: () => undefined }));
contract("local", () => {
  const dir = mkdtempSync(join(tmpdir(), "nwc-versions-"));
  return { store: new LocalVersionStore(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
});

test("local: a damaged version file is reported by get and still listed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nwc-versions-"));
  try {
    const store = new LocalVersionStore(dir);
    await store.put({ name: "approval", version: "v1", code: CODE });
    const [file] = readdirSync(store.dir);
    writeFileSync(join(store.dir, file!), '{"name":"approval","vers'); // torn by hand: writeAtomic never leaves this
    await rejects(() => store.get("approval", "v1"), /stored version file .* is damaged/);
    assert.equal((await store.list()).map((v) => v.version), ["v1"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
