/**
 * The YCSB+T workload of de Heus et al. (DEBS 2021) as nwc orchestrations:
 * one `Record` entity per key holding an integer; operations are `read`,
 * `write` (blind update) and `transfer` (move 1 from one key to another).
 * Transfers run either as a serializable `ctx.transaction` (the measured
 * system) or as two independent calls (the non-transactional baseline whose
 * sum may drift), so the overhead of transactions is their throughput ratio.
 */
import { entity, orchestration } from "nwc";

export const record = entity("Record", {
  init: () => ({ value: 0 }),
  ops: {
    get: (s: { value: number }) => s.value,
    set: (s: { value: number }, v: number) => {
      s.value = v;
    },
    add: (s: { value: number }, d: number) => {
      s.value += d;
      return s.value;
    },
  },
});

/** Stage 1: load `keys` with `initial` each (one orchestration per chunk of keys). */
export const ycsbInsert = orchestration("ycsbInsert", async (ctx, input: { keys: string[]; initial: number }) => {
  await Promise.all(input.keys.map((k) => ctx.entity(record, k).set(input.initial)));
  return input.keys.length;
});

export const ycsbRead = orchestration("ycsbRead", async (ctx, key: string) => {
  return await ctx.entity(record, key).get();
});

/** A blind write that keeps the sum: adds 0 (a read-modify-write that would change the sum is a transfer). */
export const ycsbWrite = orchestration("ycsbWrite", async (ctx, key: string) => {
  return await ctx.entity(record, key).add(0);
});

export const ycsbTransferTx = orchestration("ycsbTransferTx", async (ctx, t: { from: string; to: string }) => {
  return await ctx.transaction([record.id(t.from), record.id(t.to)], async (tx) => {
    const v = await tx.entity(record, t.from).get();
    if (v < 1) return false;
    await Promise.all([tx.entity(record, t.from).add(-1), tx.entity(record, t.to).add(1)]);
    return true;
  });
});

/** Baseline: the same transfer without isolation or atomicity. */
export const ycsbTransferPlain = orchestration("ycsbTransferPlain", async (ctx, t: { from: string; to: string }) => {
  const v = await ctx.entity(record, t.from).get();
  if (v < 1) return false;
  await Promise.all([ctx.entity(record, t.from).add(-1), ctx.entity(record, t.to).add(1)]);
  return true;
});

/** Sum over keys in one transaction: the consistency check after a run. */
export const ycsbSum = orchestration("ycsbSum", async (ctx, keys: string[]) => {
  let total = 0;
  for (const k of keys) total += await ctx.entity(record, k).get();
  return total;
});

export const app = [record, ycsbInsert, ycsbRead, ycsbWrite, ycsbTransferTx, ycsbTransferPlain, ycsbSum];
