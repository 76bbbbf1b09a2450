// Upgrading waiting instances on the aws backend (Kinesis and DynamoDB emulators, one pair for the
// file; each test its own stream and tables): the scenarios of test/upgrade/scenario.ts.
import { test } from "uvu";
import { startAwsEmulators, type AwsEmulators } from "../../runtime/testing.ts";
import { upgradeScenarios } from "../upgrade/scenario.ts";

let emulators: Promise<AwsEmulators> | undefined;
let n = 0;

upgradeScenarios("aws", async () => {
  emulators ??= startAwsEmulators({ partitions: 2 });
  const emu = await emulators;
  const i = ++n;
  return { spec: { ...emu.backend, stream: `upgrade-${i}`, tablePrefix: `upgrade${i}-` } };
});
test.after(async () => {
  await (await emulators)?.stop();
});
test.run();
