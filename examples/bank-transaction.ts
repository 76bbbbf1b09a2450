/**
 * Bank with transactions: `ctx.transaction` runs the operations of a transfer
 * on staged copies of both accounts; they apply together when the body
 * returns and none apply when it throws. Here the credit runs first and the
 * debit may fail: the failed transfer leaves both balances untouched.
 *
 * Run: npx nwc run examples/bank-transaction.ts transferTx --input '{"from":"a","to":"b","amount":10}'
 */
import { orchestration } from "nwc";
import { account, type Transfer } from "./bank.ts";

export { account };

/** Credit, then debit (which throws on insufficient funds): all or nothing. Returns whether money moved. */
export const transferTx = orchestration("transferTx", async (ctx, t: Transfer) => {
  try {
    return await ctx.transaction([account.id(t.from), account.id(t.to)], async (tx) => {
      await tx.entity(account, t.to).add(t.amount);
      await tx.entity(account, t.from).withdraw(t.amount);
      return true;
    });
  } catch (error) {
    if ((error as Error).name === "RangeError") return false;
    throw error;
  }
});

/** Reads several balances in one transaction: a consistent snapshot, never a half-applied transfer. */
export const auditTx = orchestration("auditTx", async (ctx, keys: string[]) => {
  return await ctx.transaction(keys.map((k) => account.id(k)), async (tx) => {
    let total = 0;
    for (const key of keys) total += await tx.entity(account, key).get();
    return total;
  });
});

export const app = [account, transferTx, auditTx];
