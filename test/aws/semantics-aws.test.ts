// The runtime's semantic suite, unchanged, on the aws backend: Kinesis and
// DynamoDB emulators (one pair for the file) through the real SDK clients.
// Each test gets its own stream and tables, so tests cannot see each other.
import { startAwsEmulators, type AwsEmulators } from "../../runtime/testing.ts";
import { semanticSuite } from "../runtime/semantics.ts";

let emulators: Promise<AwsEmulators> | undefined;
let n = 0;

const suite = semanticSuite("aws", async () => {
  emulators ??= startAwsEmulators({ partitions: 4 });
  const emu = await emulators;
  const i = ++n;
  return { spec: { ...emu.backend, stream: `semantics-${i}`, tablePrefix: `semantics${i}-` }, cleanup: async () => undefined };
});
suite.after(async () => {
  await (await emulators)?.stop();
});
suite.run();
