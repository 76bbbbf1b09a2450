/**
 * Child process of history-restart.test.ts: a host on the local store
 * `<dir>` starts `journey` (history-app.ts) with instance id `<id>` and
 * prints WAITING once the instance waits for its event, then idles until the
 * parent kills it with SIGKILL (no stop: nothing is flushed but what the
 * commits already made durable). Every incarnation uses the same host id, so
 * the next one takes the killed one's leases back at once.
 *
 * Usage: node --conditions=source --import tsx history-child.ts <dir> <id>
 */
import { compileOnLoad } from "../entities/harness.ts";

const [dir, id] = process.argv.slice(2);
if (!dir || !id) throw new Error("usage: history-child.ts <dir> <id>");
if (!(await compileOnLoad())) throw new Error("this build has no compiler");
const app = await import("./history-app.ts");
const { startHost } = await import("../../runtime/host.ts");
const host = await startHost({ app: [app], backend: { kind: "local", dir }, partitions: 2, hostId: "history-host", log: (level, m) => level === "error" && console.error(m) });
await host.client.start(app.journey, id, { instanceId: id });
for (;;) {
  const { steps } = await host.client.history(id);
  if (steps.some((s) => s.commands.some((c) => c.kind === "waitEvent"))) break;
  await new Promise((r) => setTimeout(r, 10));
}
process.stdout.write("WAITING\n");
setInterval(() => undefined, 60_000); // idle until killed
