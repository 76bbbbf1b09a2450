/**
 * `nwc run` on an instance that waits for an event: after a quiet moment it
 * says what the instance waits for and prints the `nwc raise` command; that
 * command, run from another process, lets it complete.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startNwc } from "./instance-process.ts";

const APP = "test/cli/fixtures/instances/app.ts";

test("prints the waiting line with the raise command; raising it from another process completes the run", async () => {
  const dir = await mkdtemp(join(tmpdir(), "nwc-run-waiting-"));
  try {
    const run = startNwc(["run", APP, "approval", "--input", '"boat"', "--dir", dir, "--timeout", "300000"]);
    const line = await run.waitFor(/waiting for event `approval` or timer at (?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d \(line \d+: await Promise\.race\(\[decision, timeout\]\)\); raise it with (nwc raise (\S+) approval '<json>' --dir (\S+))\n/);
    const [, , id, printedDir] = line;
    assert.is(printedDir, dir);
    assert.not.match(run.output(), /Completed/);
    const raise = startNwc(["raise", id!, "approval", '{"ok":true}', "--dir", printedDir!]);
    assert.is(await raise.exited, 0, raise.output());
    assert.is(await run.exited, 0, run.output());
    assert.match(run.output(), new RegExp(`instance ${id}: Completed in \\d+ ms\\n"boat: approved"`));
    // Said once for that wait, not on every check.
    assert.is(run.output().split("waiting for event").length - 1, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("on the memory backend the line says nothing outside the process can raise it", async () => {
  const run = startNwc(["run", APP, "approval", "--input", '"car"', "--backend", "memory", "--timeout", "4000"]);
  await run.waitFor(/waiting for event `approval` or timer at .*; on the memory backend only this process can raise it: run with --backend local/);
  assert.is(await run.exited, 1, run.output());
  assert.match(run.output(), /did not finish within 4000 ms/);
});

test.run();
