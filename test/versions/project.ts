// A throwaway project inside this repository (so `import "nwc"` resolves to it) holding the edited orchestration.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HELPER, source, type Variant } from "./fixture.ts";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface Project {
  dir: string;
  /** Writes the orchestration as `variant` to `file` (default approval.ts); returns its path. */
  write(variant: Variant, file?: string): string;
  remove(file: string): void;
  cleanup(): void;
}

/** A fixed directory per test name, so the compile cache (keyed by path and text) serves repeated runs. */
export function makeProject(name: string): Project {
  const dir = join(ROOT, "test/versions", `.work-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "helper.ts"), HELPER);
  return {
    dir,
    write(variant, file = "approval.ts") {
      const path = join(dir, file);
      writeFileSync(path, source(variant));
      return path;
    },
    remove(file) {
      rmSync(join(dir, file));
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
