// Child process for test/backends/local*.test.ts: acts on a local backend dir from a second process.
// Usage: local-child.ts <dir> <partitions> send <from> <count>     (sends <count> envelopes to partition 0, one send each)
//        local-child.ts <dir> <partitions> append <owner> <epoch> <position>   (prints "fenced" or "ok")
//        local-child.ts <dir> <partitions> acquire <owner>        (prints the epoch taken, "busy", or "held <pid>" when a live process of this machine holds it)
import { createLocalBackend } from "../../runtime/backends/local/index.ts";
import { LeaseHeld } from "../../runtime/backends/errors.ts";
import { FencedError } from "../../runtime/backends/types.ts";

const [dir, partitionsText, command, ...args] = process.argv.slice(2);
// NWC_TEST_SEGMENT_BYTES: small segments, so that concurrent senders rotate channels under each other.
const segmentBytes = process.env.NWC_TEST_SEGMENT_BYTES ? Number(process.env.NWC_TEST_SEGMENT_BYTES) : undefined;
const backend = await createLocalBackend({ dir: dir!, segmentBytes }, Number(partitionsText));
if (command === "send") {
  const [from, countText] = args;
  for (let seq = 1; seq <= Number(countText); seq++) {
    await backend.channels.send([{ from: from!, to: 0, seq, body: { pad: "x".repeat(seq % 97) } }]);
  }
  console.log("ok");
} else if (command === "append") {
  const [owner, epochText, positionText] = args;
  const epoch = Number(epochText);
  try {
    await backend.store.appendCommit({ partition: 0, owner: owner!, epoch, expiresAtMs: Date.now() + 60_000 }, { position: Number(positionText), epoch, updates: [], statusUpdates: [] });
    console.log("ok");
  } catch (error) {
    console.log(error instanceof FencedError ? "fenced" : `error ${(error as Error).message}`);
  }
} else if (command === "acquire") {
  try {
    const lease = await backend.store.acquireLease(0, args[0]!, 60_000);
    console.log(lease ? String(lease.epoch) : "busy");
  } catch (error) {
    if (!(error instanceof LeaseHeld)) throw error;
    console.log(`held ${error.holder.pid}`);
  }
} else {
  throw new Error(`unknown command ${command}`);
}
await backend.close();
