/** The semantic suite on the memory backend (one backend object shared by the hosts of a test). */
import { createMemoryBackend } from "../../runtime/backends/memory/index.ts";
import { semanticSuite } from "./semantics.ts";

semanticSuite("memory", async () => {
  const backend = createMemoryBackend({ partitions: 4 });
  return { spec: backend, cleanup: () => backend.close() };
}).run();
