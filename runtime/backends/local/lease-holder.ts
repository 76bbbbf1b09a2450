/**
 * Who holds a lease: the holder's pid, machine and command, stored in
 * `lease.json`, so that a process on the same machine can tell a live holder
 * (say which process it is, at once) from a dead one (take the lease at once
 * instead of waiting for it to expire). Fencing does not rest on this: a
 * take-over always raises the epoch, and a holder wrongly judged dead is
 * refused at its next write (FencedError).
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";

export interface HolderIdentity {
  pid: number;
  hostname: string;
  /** Linux boot id: the same hostname after a reboot is not the same run of the machine (every old pid is dead). */
  bootId?: string;
  /** The holder's command line, shortened (for the message naming it). */
  command?: string;
  /** Linux: the holder's start time (clock ticks since boot): a live pid that started at another time is a reused pid. */
  startTicks?: string;
}

function readBootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

const MAX_COMMAND_CHARS = 200;

function ownCommand(): string {
  const words = [process.argv0, ...process.argv.slice(1)].join(" ");
  return words.length > MAX_COMMAND_CHARS ? `${words.slice(0, MAX_COMMAND_CHARS)}...` : words;
}

let self: HolderIdentity | undefined;
export function selfIdentity(): HolderIdentity {
  self ??= { pid: process.pid, hostname: hostname(), bootId: readBootId(), command: ownCommand(), startTicks: startTicksOf(process.pid) };
  return self;
}

export type Liveness = "alive" | "dead" | "unknown";

/**
 * Whether the holder still runs. `unknown` for a holder on another machine, or
 * a lease written without an identity: only its expiry tells then.
 */
export function holderLiveness(holder: Partial<HolderIdentity>): Liveness {
  const me = selfIdentity();
  if (!(Number.isInteger(holder.pid) && holder.pid! > 0) || holder.hostname !== me.hostname) return "unknown";
  if (holder.bootId !== undefined && me.bootId !== undefined && holder.bootId !== me.bootId) return "dead"; // the machine rebooted since
  try {
    process.kill(holder.pid!, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH" ? "dead" : "alive"; // EPERM: it exists, owned by another user
  }
  return pidReused(holder) ? "dead" : "alive";
}

/** On Linux: the pid now belongs to a process that started at another time (the holder died and the pid was given out again). */
function pidReused(holder: Partial<HolderIdentity>): boolean {
  if (holder.startTicks === undefined) return false;
  const now = startTicksOf(holder.pid!);
  return now !== undefined && now !== holder.startTicks;
}

/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces and parentheses). */
function startTicksOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

export function describeHolder(holder: Partial<HolderIdentity> & { owner?: string }): string {
  const where = holder.hostname ? ` on ${holder.hostname}` : "";
  const pid = holder.pid !== undefined ? `process ${holder.pid}${where}` : `host ${holder.owner ?? "(unknown)"}`;
  return holder.command ? `${pid} (${holder.command})` : pid;
}
