/**
 * Helpers for the entity integration tests: compile-on-load, start a host on a
 * backend, wait for instances and for conditions with a bound.
 */
/**
 * Compiles source files with the compiler (type check, effect checks, lowering)
 * and imports the emitted modules; returns their namespaces by file name
 * ("bank.ts"). Throws with the diagnostics if any file does not compile.
 */
export async function compileModules(paths: string[]): Promise<Map<string, any>> {
  const { readFileSync } = await import("node:fs");
  const { basename } = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  const { compileSources, formatDiagnostic } = await import("../../compiler/index.ts");
  const { loadCompiled } = await import("../../compiler/load.ts");
  const files = paths.map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const result = compileSources(files.map((f) => ({ fileName: f, text: readFileSync(f, "utf8") })));
  if (result.diagnostics.length > 0) {
    throw new Error(`compiling ${paths.join(", ")} failed:\n${result.diagnostics.map((d: any) => formatDiagnostic(d)).join("\n")}`);
  }
  const loaded = await loadCompiled(result.outputs);
  const out = new Map<string, any>();
  for (const [fileName, ns] of loaded) out.set(basename(fileName).replace(/\.m?js$/, ".ts"), ns);
  return out;
}

/** Installs compile-on-load when this build has the compiler; false means compiled tests must skip. */
export async function compileOnLoad(): Promise<boolean> {
  const { installCompileOnLoad } = await import("../../runtime/app-loader.ts");
  return installCompileOnLoad();
}

/**
 * Re-send period of unconfirmed messages in tests: dropped messages are repaired
 * within ~2 periods, and a lock chain stalls behind each one, so the default
 * (1 s, sized for real channels) would make fault tests take minutes.
 */
const TEST_RESEND_AFTER_MS = 40;

export async function startTestHost(app: unknown[], options: { partitions?: number; backend?: unknown; hostId?: string } = {}) {
  const { startHost } = await import("../../runtime/host.ts");
  return startHost({
    app: app as any,
    backend: (options.backend ?? "memory") as any,
    partitions: options.partitions ?? 4,
    partitionOptions: { resendAfterMs: TEST_RESEND_AFTER_MS },
    ...(options.hostId ? { hostId: options.hostId } : {}),
    // Injected send failures are logged as warnings by design; keep errors visible.
    log: (level, message) => {
      if (level === "error") console.error(`nwc: ${message}`);
    },
  });
}

/** Polls `probe` until it returns a defined value or `timeoutMs` passes; the message says what never happened. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`);
}

export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}
