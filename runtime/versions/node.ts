/**
 * The platform side of a Node host's version keeper: stored code is made with
 * esbuild from the machine's module (bundle.ts) and loaded with this process's
 * nwc (host-modules.ts). host.ts imports this file by a computed URL, only
 * when there is something to store or load, so the playground's browser
 * bundle never includes it.
 */
import { bundleVersion } from "./bundle.ts";
import { hostModules } from "./host-modules.ts";
import type { Machine } from "../machine.ts";
import { VersionKeeper, type KeeperTools } from "./keeper.ts";
import type { VersionStore } from "./store.ts";

export const nodeKeeperTools: KeeperTools = async () => ({
  modules: hostModules,
  makeCode: (machine) => bundleVersion(machine.source!, machine.name, machine.version),
});

/** The machine of a stored version, loaded into this process (for tools that read old versions, e.g. upgrades). */
export function loadStoredVersion(versions: VersionStore, name: string, version: string): Promise<Machine> {
  return new VersionKeeper(versions, () => undefined, nodeKeeperTools).load(name, version);
}
