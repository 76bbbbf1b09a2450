// Who holds a local store, in real processes: a live holder in another process is named at once (pid and
// command, and how to pick another store), a holder killed with SIGKILL is taken over at once (not after the
// 15 s lease), a holder that cannot be checked (another machine) is waited for, saying so; a read-only
// store directory fails at once. Fencing across processes stays covered by local.test.ts.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { LeaseHeld } from "../../runtime/backends/errors.ts";
import { createLocalBackend } from "../../runtime/backends/local/index.ts";
import { sealJson } from "../../runtime/backends/local/sealed-json.ts";
import { startHost } from "../../runtime/host.ts";
import { app, PARTITIONS, partitionOptions, SEGMENT_BYTES, shop } from "./corruption-fixture.ts";

const CHILD = new URL("./host-child.ts", import.meta.url).pathname;
const NODE_ARGS = ["--conditions=source", "--import", "tsx", CHILD];
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "nwc-lease-"));
  dirs.push(d);
  return d;
}
const children: ChildProcess[] = [];
test.after(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** Spawns a child host holding every partition of `dir`; resolves once it has completed an instance. */
async function holdingChild(dir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...NODE_ARGS, dir, "hold"], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("ready")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`child exited with ${code}: ${out}`)));
  });
  return child;
}

const hostOn = async (dir: string, log: (level: string, message: string) => void = () => undefined) => {
  const backend = await createLocalBackend({ dir, segmentBytes: SEGMENT_BYTES }, PARTITIONS);
  try {
    const host = await startHost({ app, backend, partitions: PARTITIONS, partitionOptions, log });
    return { host, async stop() { await host.stop(); await backend.close(); } };
  } catch (error) {
    await backend.close();
    throw error;
  }
};

test("a live holder in another process is named at once; once it is killed (SIGKILL) its partitions are taken over at once, nothing lost", async () => {
  const dir = tempDir();
  const child = await holdingChild(dir);
  let started = Date.now();
  const error = await hostOn(dir).then((h) => h.stop(), (e: unknown) => e);
  assert.instance(error, LeaseHeld);
  const message = (error as Error).message;
  console.log(`  ${message}`);
  assert.ok(message.includes(`process ${child.pid}`) && message.includes("host-child.ts"), message);
  assert.match(message, /--dir/);
  assert.match(message, /--backend memory/);
  assert.ok(Date.now() - started < 3_000, `named at once, took ${Date.now() - started} ms`);

  child.kill("SIGKILL");
  await new Promise((r) => child.once("exit", r));
  started = Date.now();
  const { host, stop } = await hostOn(dir);
  const took = Date.now() - started;
  try {
    assert.ok(took < 3_000, `a dead holder's lease (15 s) is taken over at once: took ${took} ms`);
    const s = await host.client.status("held-1");
    assert.is(s?.status, "Completed", "what the killed host committed is there");
    const id = await host.client.start(shop, 8, { instanceId: "after-kill" });
    assert.is((await host.client.wait(id, { timeoutMs: 30_000 })).status, "Completed");
  } finally {
    await stop();
  }
});

test("a holder whose life cannot be checked (another machine) is waited for until its lease expires, and the host says what it waits for", async () => {
  const dir = tempDir();
  const first = await hostOn(dir);
  await first.stop();
  const expiresAtMs = Date.now() + 1_500;
  for (let p = 0; p < PARTITIONS; p++) {
    const path = join(dir, "partitions", `p${p}`, "lease.json");
    writeFileSync(path, sealJson({ owner: "host-elsewhere", epoch: 5, expiresAtMs, logEnd: 0, pid: 4242, hostname: "elsewhere.example", command: "node serve.js" }));
  }
  const logs: string[] = [];
  const started = Date.now();
  const { stop } = await hostOn(dir, (_level, message) => logs.push(message));
  await stop();
  assert.ok(Date.now() >= expiresAtMs, "waited for the lease to expire");
  const waiting = logs.filter((m) => /waiting for its lease, held by process 4242 on elsewhere\.example \(node serve\.js\)/.test(m));
  assert.is(waiting.length, PARTITIONS, `said once per partition: ${logs.join(" | ")}`);
  assert.ok(Date.now() - started < 10_000);
});

test("a read-only store directory fails at once, saying so", async () => {
  const dir = tempDir();
  const first = await hostOn(dir);
  await first.stop();
  const chmodAll = (mode: number) => {
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        chmodSync(p, statSync(p).isDirectory() ? mode | 0o111 : mode);
      }
    };
    walk(dir);
    chmodSync(dir, mode | 0o111);
  };
  chmodAll(0o444);
  try {
    // root writes anywhere: as root, the host runs without the capabilities that bypass file
    // modes (it stays root, so it can still read a checkout that only root may read).
    const asRoot = process.getuid?.() === 0;
    const [command, args] = asRoot
      ? ["setpriv", ["--bounding-set=-dac_override,-dac_read_search", process.execPath, ...NODE_ARGS, dir, "start"]]
      : [process.execPath, [...NODE_ARGS, dir, "start"]];
    const started = Date.now();
    const result = await promisify(execFile)(command, args, { timeout: 20_000 }).then(
      (r) => r.stdout,
      (e: { stdout?: string; killed?: boolean }) => (e.killed ? "timed out" : (e.stdout ?? "")),
    );
    console.log(`  ${result.trim()}`);
    assert.match(result, /^error StoreUnwritable: directory .* is read-only/);
    assert.ok(result.includes(dir), result);
    assert.ok(Date.now() - started < 10_000, "at once, not retrying");
  } finally {
    chmodAll(0o644);
  }
});

test.run();
