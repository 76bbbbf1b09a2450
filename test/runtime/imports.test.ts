/**
 * Architecture invariant: the partition core and the memory backend import no
 * `node:` module and no Node-only package, so the playground can bundle them
 * for the browser (ARCHITECTURE.md).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out;
}

for (const dir of ["runtime/partitions", "runtime/backends/memory"]) {
  test(`${dir} imports no node: module`, () => {
    const files = sources(join(root, dir));
    assert.ok(files.length > 5, `found ${files.length} files under ${dir}`);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const bad = [...text.matchAll(/(?:from|import)\s*\(?\s*["']((?:node:)?(?:fs|path|os|url|crypto|child_process|http|net|util|events|perf_hooks|worker_threads)(?:\/[\w/]+)?)["']/g)].map((m) => m[1]);
      assert.equal(bad, [], `${file} imports ${bad.join(", ")}`);
      assert.not.match(text, /\bprocess\.(env|hrtime|nextTick)|\bBuffer\./, `${file} uses a Node global`);
    }
  });
}

test.run();
