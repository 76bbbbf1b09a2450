// `nwc playground`: argument parsing, and the command serving the built page
// and its config on 127.0.0.1 with the URL printed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parsePlaygroundArgs } from "../../cli/commands/playground.ts";
import { buildPlayground } from "../../playground/serve.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

test("arguments: defaults, --port, --dev-url, and clear errors", () => {
  assert.equal(parsePlaygroundArgs([]), { port: 5173, devUrl: "http://127.0.0.1:7071", rebuild: false });
  assert.equal(parsePlaygroundArgs(["--port", "0", "--dev-url=http://127.0.0.1:9000", "--rebuild"]), { port: 0, devUrl: "http://127.0.0.1:9000", rebuild: true });
  assert.throws(() => parsePlaygroundArgs(["--port", "x"]), /--port must be an integer/);
  assert.throws(() => parsePlaygroundArgs(["--dev-url", "ftp://x"]), /not an http\(s\) URL/);
  assert.throws(() => parsePlaygroundArgs(["--nope"]), /unknown option "--nope"/);
  assert.throws(() => parsePlaygroundArgs(["--port"]), /--port needs a value/);
});

test("serves the page, its assets and config.json, and nothing outside the build", async () => {
  await buildPlayground();
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "cli/main.ts", "playground", "--port", "0", "--dev-url", "http://127.0.0.1:7999"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  try {
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed within 60 s:\n${out}`)), 60_000);
      const onData = (d: Buffer) => {
        out += d;
        const m = /nwc playground: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) { clearTimeout(timer); resolve(m[1]!); }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
    });
    const page = await fetch(url);
    assert.is(page.status, 200);
    const html = await page.text();
    assert.match(html, /<title>nwc playground<\/title>/);
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, "the page references its bundle");
    const js = await fetch(url + script);
    assert.is(js.status, 200);
    assert.match(js.headers.get("content-type") ?? "", /javascript/);
    assert.equal(await (await fetch(url + "config.json")).json(), { devUrl: "http://127.0.0.1:7999" });
    assert.is((await fetch(url + "..%2F..%2Fpackage.json")).status, 404);
    assert.is((await fetch(url + "missing.js")).status, 404);
    // Not on the default port: nwc dev would refuse this page unless told to allow its origin.
    assert.match(out, new RegExp(`start nwc dev with --allow-origin ${new URL(url).origin.replace(/\./g, "\\.")}`));
  } finally {
    child.kill("SIGTERM");
    child.stdout.destroy();
    child.stderr.destroy();
  }
});

test.run();
