// `nwc build --against`: the await points a build keeps, moves and removes against a previous build,
// the waiting instances of a store by version and await point, and --fail-on-strand.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as buildCmd from "../../cli/commands/build.ts";
import { startHost } from "../../runtime/host.ts";
import { inProcess } from "../cli/run-command.ts";
import { build, RUNS, V1, V2, V3 } from "./apps.ts";

const API = fileURLToPath(new URL("../../runtime/api.ts", import.meta.url));

function project(dir: string, source: string): string {
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "src/app.ts"), source);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: { target: "ES2022", lib: ["ES2023", "ESNext.Disposable"], module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: true, types: [], paths: { nwc: [API] } },
    include: ["src"],
  }));
  return join(dir, "tsconfig.json");
}

test("nwc build --against a previous build and a store: await changes, instances by version, strands", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nwc-against-"));
  const store = join(dir, "store");
  try {
    const tsconfig = project(dir, V1);
    const first = await inProcess(buildCmd, "-p", tsconfig, "--outDir", join(dir, "out1"));
    assert.is(first.code, 0, first.stdout + first.stderr);
    const v1 = await build(V1);
    const host = await startHost({ app: [v1], backend: { kind: "local", dir: store }, partitions: 2, log: () => undefined });
    for (const run of RUNS) await host.client.start(run.name, run.input, { instanceId: `b-${run.name}` });
    for (const run of RUNS) while ((await host.client.status(`b-${run.name}`))?.customStatus !== "waiting") await new Promise((r) => setTimeout(r, 10));
    await host.stop();

    project(dir, "// a comment moves every line down\n" + V3);
    const strand = await inProcess(buildCmd, "-p", tsconfig, "--outDir", join(dir, "out3"), "--against", join(dir, "out1"), "--against", store, "--fail-on-strand");
    assert.is(strand.code, 1, strand.stdout + strand.stderr);
    assert.match(strand.stdout, /loop \(version \w+\)\n  against version \w+: 0 await points unchanged, 0 moved, 1 removed, 0 added\n    removed  line 7  loop \| for \(const item of items\) \| await ctx\.waitForEvent<string>\("go"\)/);
    assert.match(strand.stdout, /guarded \(version \w+\)\n  against version \w+: 0 await points unchanged, 1 moved, 0 removed, 0 added\n    moved    line 16 -> 17  guarded \| try \| await ctx\.waitForEvent<string>\("go"\)/);
    assert.match(strand.stdout, /in use: version \w+: 1 waiting instance, 0 an upgrade carries, 1 stranded\n {8}1 at loop \| for \(const item of items\) \| await ctx\.waitForEvent<string>\("go"\) \(line 7\)\n    stranded b-loop: await at line 7 removed/);
    assert.match(strand.stdout, /in use: version \w+: 1 waiting instance, 1 an upgrade carries, 0 stranded\n {8}1 at guarded \| try \| await ctx\.waitForEvent<string>\("go"\) \(line 16\)/);
    assert.match(strand.stderr, /1 waiting instance could not be carried to this build \(--fail-on-strand\)/);

    project(dir, V2);
    const carried = await inProcess(buildCmd, "-p", tsconfig, "--outDir", join(dir, "out2"), "--against", join(dir, "out1"), "--against", store, "--fail-on-strand", "--json");
    assert.is(carried.code, 0, carried.stdout + carried.stderr);
    const reports = JSON.parse(carried.stdout).upgrade as any[];
    assert.equal(reports.map((r) => [r.name, r.inUse.map((u: any) => [u.instances, u.carried, u.stranded.length])]), RUNS.map((r) => [r.name, [[1, 1, 0]]]));
    assert.equal(reports.map((r) => r.previous[0].changes.every((c: any) => c.kind === "unchanged")), RUNS.map(() => true));

    const noStore = await inProcess(buildCmd, "-p", tsconfig, "--outDir", join(dir, "out2"), "--against", join(dir, "out1"), "--fail-on-strand");
    assert.is(noStore.code, 2);
    assert.match(noStore.stderr, /--fail-on-strand needs a store/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
