/** The semantic suite on the embedded local backend: a fresh `.nwc`-style folder per test, removed afterwards. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { semanticSuite } from "./semantics.ts";

semanticSuite("local", async () => {
  const dir = await mkdtemp(join(tmpdir(), "nwc-semantics-local-"));
  return { spec: { kind: "local", dir }, cleanup: () => rm(dir, { recursive: true, force: true }) };
}).run();
