/**
 * This host's own nwc modules, handed to stored code as it loads (load.ts):
 * `nwc` and `nwc/engine` are the very modules the host runs, so a loaded
 * machine shares its engine, codec and registered classes.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import * as api from "../index.ts";
import * as engine from "../engine/index.ts";
import type { HostModules } from "./load.ts";

let builtins: NodeJS.Require | undefined;

export const hostModules: HostModules = {
  api,
  engine,
  // Resolved from the working directory, not import.meta.url: this module also runs bundled as CommonJS (Lambda).
  requireBuiltin: (specifier) => (builtins ??= createRequire(join(process.cwd(), "stored-version.cjs")))(specifier),
};
