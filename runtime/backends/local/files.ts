/**
 * File primitives with the fsync discipline of the local backend: durable
 * appends, atomic replacement (temp file, fsync, rename, directory fsync), and
 * an exclusive lock file between processes (`HeldFileLock`, kept across a
 * run of calls or given up after one).
 *
 * Invariant: when `appendDurableAsync` or `writeAtomic` returns, the bytes survive
 * a power cut; `writeAtomic` leaves either the old or the new file, never a mix.
 */
import { closeSync, constants, fstatSync, fsync, fsyncSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Appends `bytes` with one write call on an O_APPEND descriptor (whole frames
 * never interleave between processes), then fsyncs on libuv's thread pool, so
 * the event loop keeps working (other partitions' batches) while the disk
 * flushes. Without `create` the file must exist (ENOENT otherwise): channel
 * writers must never re-create a segment that was trimmed. Returns the file's
 * size after the write (other writers' bytes included), which the fsync made
 * durable. `onWritten`, if given, is called with that size synchronously,
 * between the write and the fsync (the bytes are readable then, not yet durable).
 */
export async function appendDurableAsync(path: string, bytes: Buffer, options: { create: boolean; onWritten?: (size: number) => void }): Promise<number> {
  const flags = constants.O_WRONLY | constants.O_APPEND | (options.create ? constants.O_CREAT : 0);
  const fd = openSync(path, flags, 0o644);
  try {
    const written = writeSync(fd, bytes, 0, bytes.length);
    if (written !== bytes.length) throw new Error(`short append to ${path}: ${written} of ${bytes.length} bytes`);
    // Taken before the fsync: every byte below it is in the file then, so the fsync covers it.
    const size = fstatSync(fd).size;
    options.onWritten?.(size);
    await fsyncAsync(fd);
    return size;
  } finally {
    closeSync(fd);
  }
}

/** fsync on libuv's thread pool. */
export function fsyncAsync(fd: number): Promise<void> {
  return new Promise<void>((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
}

/** Makes every byte of an existing file durable (written by any process); returns the size it covered. */
export async function syncFileAsync(path: string): Promise<number> {
  const fd = openSync(path, constants.O_RDONLY);
  try {
    const size = fstatSync(fd).size;
    await fsyncAsync(fd);
    return size;
  } finally {
    closeSync(fd);
  }
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Test hook: throw after the temp file is durable but before the rename (a crash at the worst moment). */
export const writeAtomicFaults = { crashBeforeRename: false };

export function writeAtomic(path: string, bytes: Buffer | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
  try {
    const data = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
    const written = writeSync(fd, data, 0, data.length);
    if (written !== data.length) throw new Error(`short write to ${tmp}`);
    fsyncSync(fd); // the content is durable before the name points at it
  } finally {
    closeSync(fd);
  }
  if (writeAtomicFaults.crashBeforeRename) throw new Error("simulated crash before rename");
  renameSync(tmp, path);
  fsyncDir(dirname(path)); // the rename itself is durable
}

/** A lock held longer than this belongs to a dead process (no lock is held across I/O longer than a few fsyncs). */
export const STALE_LOCK_MS = 10_000;
/** Poll interval while another process holds a lock. */
const LOCK_RETRY_MS = 2;

function processIsGone(pid: number): boolean {
  if (!(Number.isInteger(pid) && pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Removes a lock whose holder died (SIGKILL while holding it: its pid is gone)
 * or that is older than STALE_LOCK_MS. The lock is first renamed to a name of
 * our own and its content checked there, so a lock that another process took
 * meanwhile is put back (link fails rather than overwrite a newer one).
 */
function breakStaleLock(lockPath: string): void {
  try {
    const holder = Number(readFileSync(lockPath, "utf8"));
    const tooOld = Date.now() - statSync(lockPath).mtimeMs > STALE_LOCK_MS;
    if (!tooOld && !processIsGone(holder)) return;
    const aside = `${lockPath}.stale-${process.pid}`;
    renameSync(lockPath, aside);
    const moved = Number(readFileSync(aside, "utf8"));
    if (moved !== holder) {
      try {
        linkSync(aside, lockPath); // a live lock taken meanwhile: put it back
      } catch {
        /* a newer lock exists; the moved one's holder will find its lock gone on unlock, harmlessly */
      }
    }
    unlinkSync(aside);
  } catch {
    /* removed or replaced meanwhile: retry the O_EXCL create */
  }
}

/** Creates `lockPath` with O_EXCL holding this pid, waiting (and breaking stale locks) while another holder has it. */
async function takeLockFile(lockPath: string): Promise<void> {
  for (;;) {
    try {
      const fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      breakStaleLock(lockPath);
      await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
    }
  }
}

function dropLockFile(lockPath: string): void {
  try {
    unlinkSync(lockPath);
  } catch {
    /* already removed as stale */
  }
}

/**
 * A held lock is given up this long after its last use: a run of commits in
 * quick succession (a busy partition, or one instance's steps a fraction of a
 * millisecond apart) takes and removes the lock file once, not per commit,
 * while another process waiting for it (a host asking for the lease) waits
 * about this long once the holder goes quiet. Taking it again costs a commit
 * about 0.2 ms (an O_EXCL create and a read of lease.json, metadata writes
 * that queue behind the journal), so a partition that commits every few
 * milliseconds should keep it: 5 ms here lost it between most sequential
 * Hello3 commits on 4 partitions.
 */
export const HELD_LOCK_IDLE_MS = 50;
/**
 * A held lock is given up (and taken again) after this long even if in use,
 * so other processes get their turn, and so that it never comes near
 * STALE_LOCK_MS, past which another process would break it.
 */
export const HELD_LOCK_MAX_MS = 1_000;
if (!(HELD_LOCK_MAX_MS * 5 <= STALE_LOCK_MS)) throw new Error("HELD_LOCK_MAX_MS must stay far below STALE_LOCK_MS");
/**
 * After giving a held lock up at HELD_LOCK_MAX_MS with calls still queued,
 * this process waits this long before taking it again: a process waiting for
 * the lock polls every LOCK_RETRY_MS, and without the pause it would almost
 * never find the lock free (the next call re-takes it at once). Costs a
 * busy partition at most this pause per HELD_LOCK_MAX_MS (1%).
 */
export const HELD_LOCK_YIELD_MS = 5 * LOCK_RETRY_MS;

/**
 * An exclusive lock file (O_EXCL, holding this pid; removed when given up),
 * kept across calls that follow each other closely (`keep`), and serialising the calls of this
 * process in order without polling the file.
 *
 * While it is held, no other process changes what the lock guards, so `fn`
 * is told whether the lock was taken for it (`fresh`: re-read whatever other
 * processes may have changed) or was already held since an earlier call
 * (what was read under it then still holds). A call with `keep: false` gives
 * the lock up when it ends.
 */
export class HeldFileLock {
  private held = false;
  private heldSinceMs = 0;
  private lastUseMs = 0;
  private running = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly path: string) {}

  run<T>(options: { keep: boolean }, fn: (fresh: boolean) => T | Promise<T>): Promise<T> {
    this.running++;
    const result = this.tail.then(async () => {
      try {
        if (this.held && Date.now() - this.heldSinceMs >= HELD_LOCK_MAX_MS) {
          this.release();
          await new Promise((r) => setTimeout(r, HELD_LOCK_YIELD_MS)); // other processes' turn
        }
        const fresh = !this.held;
        if (fresh) {
          await takeLockFile(this.path);
          this.held = true;
          this.heldSinceMs = Date.now();
        }
        return await fn(fresh);
      } finally {
        this.running--;
        this.lastUseMs = Date.now();
        if (!options.keep) this.release();
        else this.armIdleRelease();
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Waits for the calls queued so far, then gives the lock up. */
  async close(): Promise<void> {
    await this.tail;
    this.release();
  }

  /** Gives the lock up now (the next call takes it again, fresh). */
  release(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (!this.held) return;
    this.held = false;
    dropLockFile(this.path);
  }

  private armIdleRelease(): void {
    if (!this.held || this.idleTimer) return;
    const check = () => {
      this.idleTimer = undefined;
      if (!this.held) return;
      const idleMs = Date.now() - this.lastUseMs;
      if (this.running === 0 && idleMs >= HELD_LOCK_IDLE_MS) this.release();
      else this.idleTimer = setTimeout(check, Math.max(1, HELD_LOCK_IDLE_MS - idleMs)).unref();
    };
    this.idleTimer = setTimeout(check, HELD_LOCK_IDLE_MS).unref();
  }
}
