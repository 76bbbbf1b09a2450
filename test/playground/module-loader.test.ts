// The module loader's import rewriting: import and export-from declarations
// are redirected, look-alike strings in code are not.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { rewriteImports } from "../../playground/src/adapters/module-loader.ts";

test("import declarations are rewritten, strings in code are left alone", () => {
  const text = [
    `import * as __nwc_engine from "nwc/engine";`,
    `const g = {"transitions":[{"from":"start","to":"0:2"}]};`,
    `import {`,
    `  activity,`,
    `  orchestration } from 'nwc';`,
    `export { x } from "nwc";`,
    `import "nwc";`,
    `const s = "import x from 'y'";`,
  ].join("\n");
  const seen: string[] = [];
  const out = rewriteImports(text, (spec) => { seen.push(spec); return `blob:${spec}`; });
  assert.equal(seen, ["nwc/engine", "nwc", "nwc", "nwc"]);
  assert.ok(out.includes(`{"from":"start","to":"0:2"}`));
  assert.ok(out.includes(`orchestration } from 'blob:nwc';`));
  assert.ok(out.includes(`const s = "import x from 'y'";`));
});

test("an import the playground cannot satisfy is an error naming it", () => {
  assert.throws(() => rewriteImports(`import fs from "node:fs";`, (spec) => { throw new Error(`cannot load "${spec}"`); }), /node:fs/);
});

test.run();
