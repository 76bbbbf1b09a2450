/**
 * Measures one fsync of a small append on this disk: the median over many
 * appends of (write 64 bytes with O_APPEND + fsync). bench/runtime.ts reports
 * runtime latencies as multiples of it. Run: `node --conditions=source --import tsx bench/fsync.ts [dir]`.
 */
import { closeSync, constants, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Enough samples for a stable median, few enough to take about a second on a slow disk. */
export const DEFAULT_FSYNC_SAMPLES = 200;

export interface FsyncMeasurement {
  medianMs: number;
  p90Ms: number;
  samples: number;
}

export function measureFsync(options: { dir?: string; samples?: number } = {}): FsyncMeasurement {
  const samples = options.samples ?? DEFAULT_FSYNC_SAMPLES;
  if (!(Number.isInteger(samples) && samples >= 1)) throw new RangeError(`samples must be a positive integer, got ${samples}`);
  const dir = mkdtempSync(join(options.dir ?? tmpdir(), "nwc-fsync-"));
  const fd = openSync(join(dir, "probe.log"), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
  const bytes = Buffer.alloc(64, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const t0 = process.hrtime.bigint();
      writeSync(fd, bytes);
      fsyncSync(fd);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)]!, p90Ms: times[Math.floor(times.length * 0.9)]!, samples };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const m = measureFsync({ dir: process.argv[2] ?? process.cwd() });
  console.log(`fsync of a 64-byte append: median ${m.medianMs.toFixed(3)} ms, p90 ${m.p90Ms.toFixed(3)} ms (${m.samples} samples)`);
}
