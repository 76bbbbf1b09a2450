/**
 * The editor's presets: one program each for the patterns the playground
 * demonstrates, with the input the run panel starts with. Activities here are
 * pure functions, so the simulator's runs of them are deterministic.
 */
export interface Preset {
  id: string;
  title: string;
  /** Orchestration the run panel selects. */
  orchestration: string;
  input: unknown;
  /** Event the raise box proposes, if the program waits for one. */
  event?: { name: string; data: unknown };
  code: string;
}

export const PRESETS: Preset[] = [
  {
    id: "hello",
    title: "Hello sequence",
    orchestration: "helloSequence",
    input: ["Tokyo", "Seattle", "London"],
    code: `import { activity, orchestration } from "nwc";

export const greet = activity("greet", async (name: string) => \`Hello \${name}!\`);

export const helloSequence = orchestration("helloSequence", async (ctx, cities: string[]) => {
  const out: string[] = [];
  for (const c of cities) out.push(await ctx.call(greet, c));
  return out;
});
`,
  },
  {
    id: "fanout",
    title: "Fan-out / fan-in",
    orchestration: "fanOut",
    input: ["the quick brown fox", "jumps over", "the lazy dog again"],
    code: `import { activity, orchestration } from "nwc";

export const countWords = activity("countWords", async (text: string) =>
  text.split(" ").filter((w) => w.length > 0).length);

export const fanOut = orchestration("fanOut", async (ctx, docs: string[]) => {
  const tasks = [];
  for (const d of docs) tasks.push(ctx.call(countWords, d));
  const counts = await Promise.all(tasks);
  let words = 0;
  for (const n of counts) words += n;
  return { documents: docs.length, words };
});
`,
  },
  {
    id: "approval",
    title: "Approval with timeout",
    orchestration: "approval",
    input: { id: "PO-17", amount: 1200 },
    event: { name: "decision", data: { approved: true, by: "ada" } },
    code: `import { activity, orchestration } from "nwc";

interface Request { id: string; amount: number }
interface Decision { approved: boolean; by: string }

export const notifyApprover = activity("notifyApprover", async (req: Request) => \`asked to approve \${req.id}\`);

export const approval = orchestration("approval", async (ctx, req: Request) => {
  await ctx.call(notifyApprover, req);
  const decision = ctx.waitForEvent<Decision>("decision");
  const timeout = ctx.sleep(24 * 60 * 60 * 1000);
  const winner = await Promise.race([decision, timeout]);
  if (winner === undefined) return { id: req.id, status: "timed out" };
  return { id: req.id, status: winner.approved ? "approved" : "rejected", by: winner.by };
});
`,
  },
  {
    id: "transfer",
    title: "Bank transfer with a lock",
    orchestration: "transfer",
    input: { from: "alice", to: "bob", amount: 30 },
    code: `import { entity, orchestration } from "nwc";

export const account = entity("Account", {
  init: () => ({ balance: 100 }),
  ops: {
    get: (s: { balance: number }) => s.balance,
    add: (s: { balance: number }, amount: number) => { s.balance += amount; },
  },
});

export const transfer = orchestration("transfer", async (ctx, t: { from: string; to: string; amount: number }) => {
  await using _lock = await ctx.lock(account.id(t.from), account.id(t.to));
  if ((await ctx.entity(account, t.from).get()) < t.amount) return false;
  await Promise.all([ctx.entity(account, t.from).add(-t.amount), ctx.entity(account, t.to).add(t.amount)]);
  return true;
});
`,
  },
  {
    id: "saga",
    title: "Saga (trip booking)",
    orchestration: "bookTrip",
    input: { id: "T1", budget: 300 },
    code: `import { activity, orchestration } from "nwc";

interface Trip { id: string; budget: number }

export const reserveFlight = activity("reserveFlight", async (t: Trip) => \`FL-\${t.id}\`);
export const cancelFlight = activity("cancelFlight", async (t: Trip) => \`cancelled FL-\${t.id}\`);
export const reserveHotel = activity("reserveHotel", async (t: Trip) => \`HT-\${t.id}\`);
export const cancelHotel = activity("cancelHotel", async (t: Trip) => \`cancelled HT-\${t.id}\`);
export const chargeCard = activity("chargeCard", async (t: Trip) => {
  if (t.budget < 500) throw new Error("card declined");
  return \`CH-\${t.id}\`;
});

export const bookTrip = orchestration("bookTrip", async (ctx, trip: Trip) => {
  const saga = ctx.saga();
  try {
    const flight = await saga.step(reserveFlight, trip, cancelFlight, trip);
    const hotel = await saga.step(reserveHotel, trip, cancelHotel, trip);
    const charge = await saga.step(chargeCard, trip);
    return { booked: true, flight, hotel, charge };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const report = await saga.compensate();
    return { booked: false, reason, compensated: report.compensated };
  }
});
`,
  },
];

export function presetById(id: string): Preset {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`no preset "${id}"; presets: ${PRESETS.map((x) => x.id).join(", ")}`);
  return p;
}
