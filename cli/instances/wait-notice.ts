/**
 * `nwc run`'s note while its instance waits: once no step has run for
 * QUIET_MS, it reads what the instance waits for (committed state, as
 * `nwc show` does) and prints it once per wait, with the command that raises
 * the event from another terminal:
 *   waiting for event `approval` or timer at 10:32:00 (line 21: await Promise.race(...));
 *   raise it with nwc raise <id> approval '<json>' --dir .nwc
 */
import type { Host } from "../../runtime/host.ts";
import { describeState, describeWaits, positionOf, readInstanceRecord, readPendingWaits } from "../../runtime/instance-waits.ts";
import { raiseCommand, shellWord } from "./format.ts";

/** Without a step for this long the instance is waiting, not working: worth saying on what. */
export const QUIET_MS = 1000;
/** How often the quiet time is checked. */
const CHECK_MS = 200;

export interface WaitNotice {
  /** Call on every step of the instance: its wait changed. */
  progressed(): void;
  stop(): void;
}

export function startWaitNotice(host: Host, instanceId: string, dir: string | undefined, print: (line: string) => void): WaitNotice {
  let lastProgress = Date.now();
  let noticed = false;
  let reading = false;
  const timer = setInterval(() => {
    if (noticed || reading || Date.now() - lastProgress < QUIET_MS) return;
    reading = true;
    const seenProgress = lastProgress;
    describe(host, instanceId, dir)
      .then((line) => {
        // A step meanwhile made the reading stale: the next quiet period reads again.
        if (line && seenProgress === lastProgress) {
          print(line);
          noticed = true;
        }
      })
      .catch(() => undefined) // a note, not a result: a failed read (store busy) is retried on the next check
      .finally(() => (reading = false));
  }, CHECK_MS);
  timer.unref();
  return {
    progressed() {
      lastProgress = Date.now();
      noticed = false;
    },
    stop: () => clearInterval(timer),
  };
}

async function describe(host: Host, instanceId: string, dir: string | undefined): Promise<string | undefined> {
  const { store } = host.backend;
  const rec = await readInstanceRecord(store, host.client.partitionCount, instanceId);
  if (!rec || rec.frame === null) return undefined;
  const waits = await readPendingWaits(store, host.client.partitionCount, rec);
  const what = describeWaits(waits);
  if (!what) return undefined;
  const machine = host.app.machine(rec.name, rec.version);
  const where = positionOf(machine, rec)?.map((s) => describeState(s, machine?.graph)).join("; ");
  let line = `waiting for ${what}${where ? ` (${where})` : ""}`;
  const event = waits.events[0];
  if (event !== undefined) {
    line += dir !== undefined
      ? `; raise it with ${raiseCommand(instanceId, event, `--dir ${shellWord(dir)}`)}`
      : "; on the memory backend only this process can raise it: run with --backend local to raise it with nwc raise";
  }
  return line;
}
