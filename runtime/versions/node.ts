/**
 * The version keeper of a Node host: stored code is made with esbuild from
 * the machine's module (bundle.ts) and loaded with this process's nwc
 * (host-modules.ts). host.ts imports this file by a computed URL, so the
 * playground's browser bundle never includes it; the Lambda processor imports
 * it directly.
 */
import type { VersionStore } from "./store.ts";
import { bundleVersion } from "./bundle.ts";
import { hostModules } from "./host-modules.ts";
import { VersionKeeper } from "./keeper.ts";

export function nodeVersionKeeper(versions: VersionStore, log: (level: "warn" | "error", message: string) => void): VersionKeeper {
  return new VersionKeeper(versions, hostModules, log, (machine) => bundleVersion(machine.source!, machine.name, machine.version));
}
