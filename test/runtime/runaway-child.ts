/**
 * Child process of step-budget.test.ts: a host on the local backend in <dir>,
 * compiling the runaway fixtures on load.
 * - `spin`: under a budget too large to matter, starts an instance whose
 *   entity operation never ends and one whose helper (in another module)
 *   never ends: it spins until killed.
 * - `recover`: a host with a small budget on the same store; prints READY with
 *   the milliseconds start-up took, then the outcome of both instances and the
 *   counter's state as JSON.
 *
 * Usage: node --conditions=source --import tsx runaway-child.ts <dir> spin|recover
 */
import { compileOnLoad } from "../entities/harness.ts";

const [dir, mode] = process.argv.slice(2);
if (!dir || (mode !== "spin" && mode !== "recover")) throw new Error("usage: runaway-child.ts <dir> spin|recover");
/** The small budget of the recovering host (the test's budget). */
const SMALL_BUDGET = 200_000;
/** So large that the spinning host never reaches it before it is killed. */
const HUGE_BUDGET = Number.MAX_SAFE_INTEGER;

if (!(await compileOnLoad())) throw new Error("this build has no compiler");
const app = await import("./fixtures/runaway.ts");
const { startHost } = await import("../../runtime/host.ts");
const started = Date.now();
const host = await startHost({
  app: [app], backend: { kind: "local", dir }, partitions: 1, hostId: "runaway-host", log: () => undefined,
  partitionOptions: { stepBudget: mode === "spin" ? HUGE_BUDGET : SMALL_BUDGET },
});
if (mode === "spin") {
  // Both in one channel write (sends of one tick are grouped), before any step runs: the test watches the
  // channel file for them, then kills this process while it spins.
  void Promise.all([
    host.client.start(app.useCounter, "spin", { instanceId: "op" }),
    host.client.start(app.spinInOtherModule, 1, { instanceId: "helper" }),
  ]);
} else {
  process.stdout.write(`READY ${Date.now() - started}\n`);
  const outcome = async (id: string) => {
    const s = await host.client.wait(id, { timeoutMs: 30_000 });
    return { status: s.status, error: s.error?.name, message: s.error?.message };
  };
  const result = { op: await outcome("op"), helper: await outcome("helper"), counter: await host.client.readEntity(app.counter, "c") ?? null };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await host.stop();
}
