/**
 * Bank: accounts are entities; a transfer locks both accounts, checks the
 * balance and moves the money inside one critical section, so no concurrent
 * transfer can see or make a negative balance, and money is never created or lost.
 *
 * Run (the accounts live in .nwc/ between runs):
 *   npx nwc run examples/bank.ts openAccounts --input '{"keys":["a","b"],"amount":100}'
 *   npx nwc run examples/bank.ts transfer --input '{"from":"a","to":"b","amount":10}'    -> true
 *   npx nwc run examples/bank.ts transfer --input '{"from":"a","to":"b","amount":500}'   -> false (funds short)
 */
import { entity, orchestration } from "nwc";

export interface AccountState {
  balance: number;
}

export const account = entity("Account", {
  init: (): AccountState => ({ balance: 0 }),
  ops: {
    get: (s: AccountState) => s.balance,
    add: (s: AccountState, amount: number) => {
      s.balance += amount;
      return s.balance;
    },
    /** Throws (and changes nothing) when the balance would go negative. */
    withdraw: (s: AccountState, amount: number) => {
      if (s.balance < amount) throw new RangeError(`insufficient funds: balance ${s.balance}, asked ${amount}`);
      s.balance -= amount;
      return s.balance;
    },
  },
});

export interface Transfer {
  from: string;
  to: string;
  amount: number;
}

/** Moves `amount` from one account to another under a lock of both; false when funds are short. */
export const transfer = orchestration("transfer", async (ctx, t: Transfer) => {
  await using _lock = await ctx.lock(account.id(t.from), account.id(t.to));
  if ((await ctx.entity(account, t.from).get()) < t.amount) return false;
  await Promise.all([ctx.entity(account, t.from).add(-t.amount), ctx.entity(account, t.to).add(t.amount)]);
  return true;
});

/** Puts `amount` into each of the accounts (one call each, in parallel). */
export const openAccounts = orchestration("openAccounts", async (ctx, input: { keys: string[]; amount: number }) => {
  await Promise.all(input.keys.map((key) => ctx.entity(account, key).add(input.amount)));
  return input.keys.length;
});

export const app = [account, transfer, openAccounts];
