/**
 * Type-level tests of the typed client, checked by tsc (test/typecheck-client.test.ts)
 * and never run. Each `@ts-expect-error` line is a misuse that must not compile;
 * tsc also fails if one of them compiles (the directive is then unused).
 */
import { activity, entity, orchestration, type Client, type OrchestrationContext } from "../../runtime/index.ts";
import type { TestHost } from "../../runtime/testing.ts";

interface Decision {
  approved: boolean;
  by: string;
}

const charge = activity("charge", async (amount: number) => amount * 10);

const approval = orchestration("approval", async (ctx: OrchestrationContext<{ approval: Decision; cancel: undefined }>, request: string) => {
  const decision: Decision = await ctx.waitForEvent("approval");
  // @ts-expect-error the event map says "approval" carries a Decision
  const wrong: number = await ctx.waitForEvent("approval");
  // The explicit type argument of untyped events still works.
  const other: string = await ctx.waitForEvent<string>("note");
  void wrong;
  void other;
  return { request, approved: decision.approved };
});

const untyped = orchestration("untyped", async (ctx, n: number) => {
  const data = await ctx.waitForEvent("anything");
  void data;
  // A typed orchestration is an ordinary one to callers.
  return (await ctx.callSub(approval, `child ${n}`)).approved;
});

const counter = entity("Counter", {
  init: () => ({ value: 0 }),
  ops: {
    add: (s: { value: number }, n: number) => {
      s.value += n;
      return s.value;
    },
    reset: (s: { value: number }) => {
      s.value = 0;
    },
  },
});

export async function uses(client: Client, t: TestHost): Promise<void> {
  // start still returns the instance id as a plain string.
  const id: string = await client.start(approval, "a boat");
  if (typeof id !== "string") throw new Error("unreachable");
  // @ts-expect-error the input of approval is a string
  await client.start(approval, 42);

  const h = await client.startHandle(approval, "a boat");
  const out: { request: string; approved: boolean } = await h.result();
  // @ts-expect-error the output is an object, not a number
  const bad: number = await h.result();
  // @ts-expect-error the input of approval is a string
  await client.startHandle(approval, { request: "a boat" });
  const s = await client.wait(h);
  const o: { approved: boolean } | undefined = s.output;
  // @ts-expect-error wait(handle) is typed by the orchestration's output
  const n: number | undefined = s.output;
  const byId = await client.wait<{ approved: boolean }>(id);
  const o2: boolean | undefined = byId.output?.approved;
  void [out, bad, o, n, o2];

  await h.raise("approval", { approved: true, by: "alice" });
  await h.raise("cancel");
  // @ts-expect-error not an event of approval
  await h.raise("aproval", { approved: true, by: "alice" });
  // @ts-expect-error the data of "approval" is a Decision
  await h.raise("approval", { approved: "yes" });
  // @ts-expect-error "approval" needs its data
  await h.raise("approval");
  await client.raise(id, "anything", 1); // by id: untyped, as before

  const u = client.handle(untyped, "u1");
  await u.raise("whatever", { any: "data" }); // no event map: any event
  const b: boolean = await u.result();
  // @ts-expect-error untyped returns a boolean
  const str: string = await u.result();
  void [b, str];

  await client.signal(counter, "k", "add", 5);
  await client.signal(counter, "k", "reset");
  // @ts-expect-error no operation "recrod"
  await client.signal(counter, "k", "recrod", 5);
  // @ts-expect-error add takes a number
  await client.signal(counter, "k", "add", "5");
  // @ts-expect-error add needs its input
  await client.signal(counter, "k", "add");
  await client.signal("Counter", "k", "anything", { by: "name" }); // by name: unchecked, as before

  const state = await client.readEntity(counter, "k");
  const value: number | undefined = state?.value;
  // @ts-expect-error the state is { value: number }
  const text: string | undefined = state?.value;
  void [value, text];

  const mock = t.mockActivity(charge, (amount) => amount + 1);
  const first: number | undefined = mock.calls[0]?.input;
  // @ts-expect-error charge returns a number
  t.mockActivity(charge, (amount) => `${amount}`);
  // @ts-expect-error charge takes a number
  t.mockActivity(charge, (amount: string) => amount.length);
  void first;
}
