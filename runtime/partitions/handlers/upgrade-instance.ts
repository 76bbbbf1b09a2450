/**
 * `upgradeInstance`: move a waiting instance to the latest version of its
 * orchestration this host has, if its frame can be carried
 * (runtime/upgrade/), and record the report line for the client that asked.
 * One message per instance, applied in one batch: one commit.
 */
import type { MessageHandler } from "../registry.ts";
import { instanceKey } from "../state/instance.ts";
import { recordUpgrade, upgradeInstance as upgrade } from "../../upgrade/apply.ts";

export interface UpgradeInstanceMessage {
  kind: "upgradeInstance";
  instanceId: string;
  /** The request's id: the client waits for the line recorded under it. */
  request: string;
  dryRun: boolean;
}

export const upgradeInstance: MessageHandler<UpgradeInstanceMessage> = {
  keys: (m) => [instanceKey(m.instanceId)],
  apply(m, batch) {
    const rec = batch.instance(m.instanceId);
    if (!rec) return;
    recordUpgrade(batch, rec, m.request, upgrade(batch, rec, m.dryRun));
  },
};
