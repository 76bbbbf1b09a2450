// Upgrading waiting instances on the memory backend (the scenarios: scenario.ts).
import { test } from "uvu";
import { createMemoryBackend } from "../../runtime/backends/memory/index.ts";
import { upgradeScenarios } from "./scenario.ts";

upgradeScenarios("memory", async () => ({ spec: createMemoryBackend({ partitions: 2 }) }));

test.run();
