// What the local backend's tests share: temp folders removed after the file's tests, and a Hello3 whose
// activity counts its runs (a restart that delivered consumed work again would run it again).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import { activity } from "../../runtime/api.ts";
import { genOrchestration } from "../runtime/machines/generator-machine.ts";

/** A maker of temp folders named `nwc-<prefix>-...`, all removed once the file's tests ran. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  test.after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return () => {
    const d = mkdtempSync(join(tmpdir(), `nwc-${prefix}-`));
    dirs.push(d);
    return d;
  };
}

/** Hello3 over `greet`; `runs()` counts the greet activities run so far in this process. */
export function countedHello3() {
  let runs = 0;
  const greet = activity("greet", async (name: string) => {
    runs++;
    return `Hello ${name}!`;
  });
  const hello3 = genOrchestration("hello3", function* (ctx) {
    const out: unknown[] = [];
    for (const c of ["Tokyo", "Seattle", "London"]) out.push(yield ctx.call(greet, c));
    return out;
  });
  return { greet, hello3, runs: () => runs };
}
