// A step that never ends (an endless loop, runaway recursion, in the
// orchestration or in a helper of its module or of another module) fails its
// instance with StepBudgetExceeded, naming the orchestration and the line,
// instead of freezing its partition; an entity operation that never ends
// fails that operation (the caller gets the error, the state is unchanged);
// code that catches the error cannot run on; a restart, even after a SIGKILL
// in the middle of the loop, recovers at once; other instances carry on. The
// budget counts loop iterations and calls, so the outcome does not depend on
// the machine's speed.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import { compileProject } from "../../compiler/project.ts";
import { loadCompiled } from "../../compiler/load.ts";
import { startHost } from "../../runtime/host.ts";
import { compileModules } from "../entities/harness.ts";

const app = (await compileModules(["../runtime/fixtures/runaway.ts", "../runtime/fixtures/runaway-lib.ts"])).get("runaway.ts");
const definitions = [app.echo, app.spin, app.spinCaught, app.recurse, app.bounded, app.spinInHelper, app.spinInOtherModule, app.counter, app.useCounter];
const BUDGET = 200_000;
/** A child compiles on load (type check included) on a loaded 2-core machine: generous. */
const CHILD_TIMEOUT_MS = 60_000;

test("an endless loop fails its instance with StepBudgetExceeded at its line; other instances complete", async () => {
  const host = await startHost({ app: definitions, backend: "memory", partitions: 1, log: () => {}, partitionOptions: { stepBudget: BUDGET } });
  try {
    const spinning = await host.client.start(app.spin, 3);
    const fine = await host.client.start(app.bounded, 1_000);
    const s = await host.client.wait(spinning, { timeoutMs: 20_000 });
    assert.is(s.status, "Failed");
    assert.is(s.error?.name, "StepBudgetExceeded");
    assert.match(s.error!.message, /orchestration "spin": ran more than 200,000 loop iterations and calls .*at line 10\)/);
    assert.equal((await host.client.wait(fine, { timeoutMs: 20_000 })).output, 499_500 + 1);
  } finally {
    await host.stop();
  }
});

test("catching the error does not let the step run on; runaway recursion is counted too", async () => {
  const host = await startHost({ app: definitions, backend: "memory", partitions: 1, log: () => {}, partitionOptions: { stepBudget: BUDGET } });
  try {
    const caught = await host.client.wait(await host.client.start(app.spinCaught, 1), { timeoutMs: 20_000 });
    assert.is(caught.status, "Failed");
    assert.is(caught.error?.name, "StepBudgetExceeded");
    const deep = await host.client.wait(await host.client.start(app.recurse, 40), { timeoutMs: 20_000 });
    assert.is(deep.status, "Failed");
    assert.match(deep.error!.message, /at line 25\)/);
  } finally {
    await host.stop();
  }
});

test("the default budget lets a long but finite step finish", async () => {
  const host = await startHost({ app: definitions, backend: "memory", partitions: 1, log: () => {} });
  try {
    const s = await host.client.wait(await host.client.start(app.bounded, 1_000_000), { timeoutMs: 60_000 });
    assert.is(s.status, "Completed", JSON.stringify(s.error));
  } finally {
    await host.stop();
  }
});

test("a helper at module level, or in another module, is counted: the step fails at the helper's line", async () => {
  const host = await startHost({ app: definitions, backend: "memory", partitions: 1, log: () => {}, partitionOptions: { stepBudget: BUDGET } });
  try {
    const local = await host.client.wait(await host.client.start(app.spinInHelper, 1), { timeoutMs: 20_000 });
    assert.is(local.error?.name, "StepBudgetExceeded");
    assert.match(local.error!.message, /^orchestration "spinInHelper": ran more than 200,000 .*\(at runaway\.ts:\d+\)/);
    assert.match(local.error!.message, new RegExp(`runaway\\.ts:${lineOf("fixtures/runaway.ts", "while (n > 0) n = n * 1;")}\\)`));
    const other = await host.client.wait(await host.client.start(app.spinInOtherModule, 1), { timeoutMs: 20_000 });
    assert.is(other.status, "Failed");
    assert.match(other.error!.message, new RegExp(`^orchestration "spinInOtherModule": .*\\(at runaway-lib\\.ts:${lineOf("fixtures/runaway-lib.ts", "do {")}\\)`));
  } finally {
    await host.stop();
  }
});

test("an entity operation past the budget fails that operation only: the caller gets the error, the state is unchanged, the entity goes on", async () => {
  const host = await startHost({ app: definitions, backend: "memory", partitions: 2, log: () => {}, partitionOptions: { stepBudget: BUDGET } });
  try {
    const run = async (op: string) => host.client.wait(await host.client.start(app.useCounter, op as any), { timeoutMs: 20_000 });
    assert.is((await run("add")).output, 1);
    for (const [op, file, text] of [["spin", "runaway.ts", "for (;;) s.value++;"], ["cube", "runaway.ts", "for (let k = 0; k < n; k++) s.value++;"], ["spinCaught", "runaway-lib.ts", "do {"]] as const) {
      const s = await run(op);
      assert.is(s.status, "Failed", op);
      assert.is(s.error?.name, "StepBudgetExceeded", op);
      const line = lineOf(`fixtures/${file}`, text);
      assert.match(s.error!.message, new RegExp(`^entity "Counter" operation "${op}": ran more than 200,000 .*\\(at ${file.replace(".", "\\.")}:${line}\\)`), op);
      assert.equal(await host.client.readEntity(app.counter, "c"), { value: 1 }, `${op}: the state is unchanged`);
    }
    assert.is((await run("add")).output, 2);
  } finally {
    await host.stop();
  }
});

test("a host killed inside an endless entity operation and helper restarts at once; both instances fail, nothing runs for ever", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "nwc-budget-kill-"));
  try {
    const spinning = child(dir, "spin");
    await startsWritten(dir, ["op", "helper"]);
    await new Promise((r) => setTimeout(r, 1_000)); // the host is inside the loop by now
    spinning.process.kill("SIGKILL");
    await spinning.exited;
    const recovering = child(dir, "recover");
    const ready = await recovering.output("READY");
    assert.ok(Number(ready.split(" ")[1]) < 10_000, `start-up took ${ready}`);
    const result = JSON.parse(await recovering.output("{")) as Record<string, any>;
    await recovering.exited;
    assert.is(result.op.status, "Failed");
    assert.match(result.op.message, /entity "Counter" operation "spin": ran more than 200,000/);
    assert.is(result.helper.status, "Failed");
    assert.match(result.helper.message, /orchestration "spinInOtherModule": .*runaway-lib\.ts/);
    assert.is(result.counter, null, "the endless operation changed nothing");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("nwc run (compile on load): an endless helper in another module fails the instance, named, within the default budget", () => {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const r = spawnSync(process.execPath, ["bin/nwc.js", "run", "test/runtime/fixtures/runaway.ts", "spinInOtherModule", "--input", "1", "--backend", "memory"],
    { cwd: root, encoding: "utf8", env: { ...process.env, NWC_FROM_SOURCE: "1" }, timeout: CHILD_TIMEOUT_MS });
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stdout, /StepBudgetExceeded/);
  assert.match(r.stdout, /runaway-lib\.ts:\d+/);
});

test("nwc build output: helpers and entity operations of the emitted modules count too", async () => {
  const files = ["fixtures/runaway.ts", "fixtures/runaway-lib.ts"].map((f) => fileURLToPath(new URL(f, import.meta.url)));
  const out = mkdtempSync(path.join(tmpdir(), "nwc-budget-build-"));
  try {
    const tsconfigPath = path.join(out, "tsconfig.json");
    writeFileSync(tsconfigPath, JSON.stringify({
      compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", strict: true, skipLibCheck: true, allowImportingTsExtensions: true, rewriteRelativeImportExtensions: true, types: ["node"], rootDir: fileURLToPath(new URL("../..", import.meta.url)) },
      files,
    }));
    const built = compileProject({ tsconfigPath, outDir: path.join(out, "dist"), noWrite: true });
    assert.equal(built.diagnostics, []);
    const lib = built.outputs.find((o) => o.fileName.endsWith("runaway-lib.js"))!;
    assert.match(lib.text, /^import \* as __nwc_engine from "nwc\/engine"; /);
    const built_ = (await loadCompiled(built.outputs)).get(built.outputs.find((o) => o.fileName.endsWith("/runaway.js"))!.fileName) as any;
    const host = await startHost({ app: [built_], backend: "memory", partitions: 1, log: () => {}, partitionOptions: { stepBudget: BUDGET } });
    try {
      const helper = await host.client.wait(await host.client.start(built_.spinInOtherModule, 1), { timeoutMs: 20_000 });
      assert.match(helper.error!.message, /^orchestration "spinInOtherModule": .*runaway-lib\.ts/);
      const op = await host.client.wait(await host.client.start(built_.useCounter, "spin"), { timeoutMs: 20_000 });
      assert.match(op.error!.message, /^entity "Counter" operation "spin": ran more than/);
    } finally {
      await host.stop();
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("nwc deploy's bundle counts helpers in modules without orchestrations too", async () => {
  const { bundleLambda } = await import("../../deploy/bundle.ts");
  const bundle = await bundleLambda(fileURLToPath(new URL("fixtures/runaway.ts", import.meta.url)));
  const code = new TextDecoder().decode(bundle.code);
  assert.match(code, new RegExp(`tick\\(${lineOf("fixtures/runaway-lib.ts", "do {")}, "runaway-lib\\.ts"\\)`));
  assert.match(code, /tick\(\d+, "runaway\.ts"\)/);
});

test("local backend: after a runaway step a restarted host recovers at once and the instance stays Failed", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "nwc-budget-"));
  try {
    const options = { app: definitions, backend: { kind: "local" as const, dir }, partitions: 1, log: () => {}, partitionOptions: { stepBudget: BUDGET } };
    const first = await startHost(options);
    const id = await first.client.start(app.spin, 2);
    assert.is((await first.client.wait(id, { timeoutMs: 20_000 })).status, "Failed");
    await first.stop();
    const second = await startHost(options);
    try {
      assert.is((await second.client.status(id))?.status, "Failed");
      const after = await second.client.wait(await second.client.start(app.bounded, 10), { timeoutMs: 20_000 });
      assert.is(after.status, "Completed");
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The 1-based line of `text` in a file next to this test. */
function lineOf(file: string, text: string): number {
  const lines = readFileSync(new URL(file, import.meta.url), "utf8").split("\n");
  const i = lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} is not in ${file}`);
  return i + 1;
}

/** Waits until the starts of `ids` are in the channel file (durable: a restart will run them). */
async function startsWritten(dir: string, ids: string[]): Promise<void> {
  const file = path.join(dir, "channels", "p0", "000000000000.log");
  const deadline = Date.now() + CHILD_TIMEOUT_MS;
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, "latin1") : "";
    if (ids.every((id) => text.includes(`"instanceId":"${id}"`))) return;
    assert.ok(Date.now() < deadline, `the starts of ${ids.join(", ")} were not written within ${CHILD_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs runaway-child.ts; `output(prefix)` resolves with its first stdout line that starts with `prefix`. */
function child(dir: string, mode: "spin" | "recover") {
  const proc = spawn(process.execPath, ["--conditions=source", "--import", "tsx", new URL("runaway-child.ts", import.meta.url).pathname, dir, mode], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stdout.on("data", (d) => (out += d));
  proc.stderr.on("data", (d) => (err += d));
  const exited = new Promise<void>((resolve) => proc.on("exit", () => resolve()));
  const output = async (prefix: string): Promise<string> => {
    const deadline = Date.now() + CHILD_TIMEOUT_MS;
    for (;;) {
      const line = out.split("\n").find((l) => l.startsWith(prefix));
      if (line) return line;
      if (proc.exitCode !== null || proc.signalCode !== null || Date.now() > deadline) {
        proc.kill("SIGKILL");
        throw new Error(`runaway-child ${mode}: no "${prefix}" line (exit ${proc.exitCode ?? proc.signalCode}):\n${out}\n${err}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { process: proc, output, exited };
}

test.run();
