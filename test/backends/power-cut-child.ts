// Child process for test/backends/local-power-cut.test.ts: a host whose channel fsyncs never end (the disk's
// write cache holds them when the power goes). It runs one Hello3 to the end, then starts `cut-start` and, once
// the commit that consumed that start is written to the log, prints "written <channel size before the start>"
// and waits to be killed.
// Usage: power-cut-child.ts <dir>
import fs, { readdirSync, readlinkSync, statSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import { startHost } from "../../runtime/host.ts";
import { countedHello3 } from "./local-fixtures.ts";

const dir = process.argv[2]!;
let holding = false;
const realFsync = fs.fsync;
(fs as { fsync: typeof fs.fsync }).fsync = ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
  const isChannel = readlinkSync(`/proc/self/fd/${fd}`).includes(join("channels", "p"));
  if (!(holding && isChannel)) realFsync(fd, callback);
}) as typeof fs.fsync;
syncBuiltinESMExports();

const logBytes = () => {
  const pdir = join(dir, "partitions", "p0");
  return readdirSync(pdir).filter((n) => n.endsWith(".seg")).reduce((sum, n) => sum + statSync(join(pdir, n)).size, 0);
};

const { greet, hello3 } = countedHello3();
const host = await startHost({ app: [greet, hello3], backend: { kind: "local", dir }, partitions: 1, log: () => undefined });
await host.client.wait(await host.client.start(hello3, null, { instanceId: "before" }), { timeoutMs: 10_000 });
const channelBefore = statSync(join(dir, "channels", "p0", "000000000000.log")).size;
const logBefore = logBytes();
holding = true;
void host.client.start(hello3, null, { instanceId: "cut-start" });
while (logBytes() === logBefore) await new Promise((r) => setTimeout(r, 2));
console.log(`written ${channelBefore}`);
setInterval(() => undefined, 1_000);
