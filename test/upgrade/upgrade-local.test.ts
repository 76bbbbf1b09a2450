// Upgrading waiting instances on the local backend (the scenarios: scenario.ts).
import { test } from "uvu";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { upgradeScenarios } from "./scenario.ts";

upgradeScenarios("local", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nwc-upgrade-"));
  return { spec: { kind: "local", dir }, stop: async () => rmSync(dir, { recursive: true, force: true }) };
});

test.run();
