// Error stacks name the user's .ts lines: compile on load (inline maps) and
// `nwc build` with sourceMap (map files) both map the step functions' code to
// the orchestration's own lines, and everything else (activities) to its lines
// below the step-function table. Each run is a new Node process, as users run.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileProject } from "../../compiler/index.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
mkdirSync(path.join(root, "test-output"), { recursive: true });
const dir = mkdtempSync(path.join(root, "test-output", "source-maps-"));

const APP = `import { activity, orchestration } from "nwc";

export const greet = activity("greet", async (name: string) => {
  if (name === "bad") throw new Error("activity boom");
  return \`Hello \${name}!\`;
});

export const hello = orchestration("hello", async (ctx, cities: string[]) => {
  const out: string[] = [];
  for (const c of cities) {
    out.push(await ctx.call(greet, c));
    if (c === "stop") {
      const where = out.length;
      throw new Error(\`orchestration boom after \${where}\`);
    }
  }
  return out;
});
`;

const MAIN = (app: string) => `import { startHost } from "nwc";
import { greet, hello } from "${app}";
const host = await startHost({ app: [hello, greet], backend: "memory" });
for (const input of [["bad"], ["a", "stop"]]) {
  const s = await host.client.wait(await host.client.start(hello, input), { timeoutMs: 20_000 });
  console.log(JSON.stringify(s.error?.stack));
}
await host.stop();
`;

/** The first stack frame in the app file, as file:line. */
function frames(stdout: string, file: string): string[] {
  return stdout.trim().split("\n").map((l) => {
    const stack = JSON.parse(l) as string;
    const m = new RegExp(`${file.replace(/\./g, "\\.")}:(\\d+):\\d+`).exec(stack);
    return m ? `${file}:${m[1]}` : `no ${file} frame in: ${stack}`;
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test("compile on load: an activity's throw and an orchestration's throw report their own lines", () => {
  writeFileSync(path.join(dir, "app.ts"), APP);
  writeFileSync(path.join(dir, "main.ts"), MAIN("./app.ts"));
  const r = spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", "--import", "nwc/register", "main.ts"], { cwd: dir, encoding: "utf8", timeout: 120_000 });
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.equal(frames(r.stdout, "app.ts"), ["app.ts:4", "app.ts:14"]);
});

test("nwc build with sourceMap: node --enable-source-maps on the output reports the same lines", () => {
  const project = path.join(dir, "built");
  mkdirSync(path.join(project, "src"), { recursive: true });
  writeFileSync(path.join(project, "src/app.ts"), APP);
  writeFileSync(path.join(project, "src/main.ts"), MAIN("./app.js"));
  writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", strict: true, skipLibCheck: true, sourceMap: true, outDir: "out", rootDir: "src", types: ["node"] }, include: ["src"] }));
  const result = compileProject({ tsconfigPath: path.join(project, "tsconfig.json") });
  assert.equal(result.diagnostics, []);
  const map = JSON.parse(readFileSync(path.join(project, "out/app.js.map"), "utf8")) as { sources: string[] };
  assert.equal(map.sources, ["../src/app.ts"]);
  const r = spawnSync(process.execPath, ["--enable-source-maps", "out/main.js"], { cwd: project, encoding: "utf8", timeout: 120_000 });
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.equal(frames(r.stdout, "app.ts"), ["app.ts:4", "app.ts:14"]);
});

test.run();
