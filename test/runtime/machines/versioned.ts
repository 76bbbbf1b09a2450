/**
 * Two versions of one orchestration, "versioned": each waits for event "go"
 * and returns `<version>:<data>`, so a test can tell which version ran an
 * instance (machine versioning: suspension on a missing version, resumption).
 */
import { genOrchestration } from "./generator-machine.ts";

function versioned(version: "v1" | "v2") {
  return genOrchestration("versioned", function* (ctx) {
    const x = yield ctx.waitForEvent("go");
    return `${version}:${x}`;
  }, version);
}

export const versionedV1 = versioned("v1");
export const versionedV2 = versioned("v2");
