// The pinned-version scenario shared by the memory and aws tests (the local one runs each host in a process
// of its own): an instance waits on v1; the source is edited after, then before, its await point and the v1
// file deleted; a host (or the Lambda processor) with only the new code finishes the instance on v1.
import * as assert from "uvu/assert";
import { loadAppFile } from "../../runtime/app-loader.ts";
import type { Client, InstanceStatus } from "../../runtime/client.ts";
import { makeProject, type Project } from "./project.ts";

export interface Scenario {
  project: Project;
  /** The definitions of the app as first written (v1) and as last edited (v3), each from its own file. */
  v1: unknown[];
  v3: unknown[];
  /** The v1 file is deleted once v3 is loaded. */
  loadV3(): Promise<unknown[]>;
}

export async function scenario(name: string): Promise<Scenario> {
  const project = makeProject(name);
  // Different files: a module is imported once per process, so an edit in place would not be seen.
  const v1 = (await loadAppFile(project.write("v1", "approval-v1.ts"))).definitions;
  return {
    project,
    v1,
    v3: [],
    async loadV3() {
      project.write("v2-after", "approval-v3.ts");
      project.write("v3-before", "approval-v3.ts");
      const v3 = (await loadAppFile(`${project.dir}/approval-v3.ts`)).definitions;
      project.remove("approval-v1.ts");
      this.v3 = v3;
      return v3;
    },
  };
}

export async function until(client: Client, id: string, done: (s: InstanceStatus | undefined) => boolean, what: string): Promise<InstanceStatus> {
  const deadline = Date.now() + 30_000;
  let s = await client.status(id);
  while (!done(s)) {
    if (Date.now() > deadline) assert.unreachable(`${id}: not ${what} in 30 s: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 20));
    s = await client.status(id);
  }
  return s!;
}

export const waiting = (s: InstanceStatus | undefined) => s?.customStatus === "waiting";
export const finished = (s: InstanceStatus | undefined) => ["Completed", "Failed", "Terminated"].includes(s?.status ?? "");
