/**
 * Child process of bank-crash.test.ts: runs a host on the given backend
 * directory, opens the accounts and starts every planned transfer (start is
 * idempotent per instance id, so each incarnation after a SIGKILL simply asks
 * again), waits for all of them, checks the bank invariants (bank-run.ts) and
 * writes `result.json` into the directory. Exits 0 only after the checks pass.
 *
 * Usage: node --conditions=source --import tsx bank-crash-child.ts <local|memory> <dir> <seed> <transfers>
 * Every incarnation
 * uses the same host id, so it takes over its killed predecessor's leases at once.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkBank, openAccounts, planTransfers, startTransfers, type BankOrchestrations } from "./bank-run.ts";
import * as g from "./gen-app.ts";
import { startTestHost } from "./harness.ts";

const [kind, dir, seedText, countText] = process.argv.slice(2);
const seed = Number(seedText), count = Number(countText);
const backend = kind === "local" ? { kind: "local", dir } : "memory";
const o: BankOrchestrations = { account: g.account, open: g.genOpen, transfer: g.genTransfer, audit: g.genAudit };

const host = await startTestHost(g.genApp, { backend, partitions: 4, hostId: "bank-crash-host" });
const client = host.client as any;
process.stdout.write("READY\n");
await openAccounts(client, o, "open");
const transfers = planTransfers(seed, count);
await startTransfers(client, o, transfers);
process.stdout.write("STARTED\n");
const { succeeded } = await checkBank(client, o, transfers, "audit");
writeFileSync(join(dir, "result.json"), JSON.stringify({ ok: true, succeeded, transfers: count }));
process.stdout.write("DONE\n");
await host.stop();
process.exit(0);
