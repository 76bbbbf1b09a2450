/**
 * The frame every instance command shares: parse the arguments (the common
 * `--dir`, `--url`, `--json`, `--help` plus the command's own), open the
 * target, run, close, and map failures to exit codes: 0 ok, 1 not found or
 * refused (or the target failed), 2 usage.
 */
import { parseArgs } from "node:util";
import { loadAppFile } from "../../runtime/app-loader.ts";
import { DEFAULT_LOCAL_DIR } from "../../runtime/backends/index.ts";
import { App } from "../../runtime/partitions/app.ts";
import { openDirTarget } from "./dir-target.ts";
import { NotFoundError, RefusedError, UsageError, type InstanceTarget } from "./target.ts";
import { openUrlTarget } from "./url-target.ts";

type Options = Record<string, { type: "string" | "boolean"; short?: string }>;

export interface InstanceCommand {
  name: string;
  /** The usage line, without the common flags (added here). */
  usage: string;
  options?: Options;
  /** How many positional arguments: at least `min`, at most `max`. */
  positionals: { min: number; max: number };
  run(c: { target: InstanceTarget; args: string[]; values: Record<string, string | boolean | undefined>; json: boolean }): Promise<number | void>;
}

export const COMMON_FLAGS = "[--dir .nwc | --url http://127.0.0.1:7071] [--json]";

export function usageOf(cmd: InstanceCommand): string {
  return `usage: nwc ${[cmd.name, cmd.usage, COMMON_FLAGS].filter(Boolean).join(" ")}

  --dir DIR   the store directory of nwc run or nwc dev (default ${DEFAULT_LOCAL_DIR}); a host may run on it or not
  --url URL   a running nwc dev instead (its HTTP API)
  --json      machine-readable output`;
}

/** `--app file.ts` (nwc show): the code of the orchestrations, for the source lines where an instance waits. */
async function appOf(file: unknown): Promise<App | undefined> {
  return typeof file === "string" ? App.from((await loadAppFile(file)).definitions) : undefined;
}

export async function runInstanceCommand(cmd: InstanceCommand, argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...cmd.options, dir: { type: "string" }, url: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    console.error(`nwc ${cmd.name}: ${(error as Error).message}\n${usageOf(cmd)}`);
    return 2;
  }
  const { positionals } = parsed;
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    console.log(usageOf(cmd));
    return 0;
  }
  let target: InstanceTarget | undefined;
  try {
    if (positionals.length < cmd.positionals.min || positionals.length > cmd.positionals.max) {
      const { min, max } = cmd.positionals;
      const expected = min === max ? `${min}` : min === 0 ? `at most ${max}` : `${min} to ${max}`;
      throw new UsageError(`expected ${expected} argument${max === 1 ? "" : "s"}, got ${positionals.length}`);
    }
    if (values.dir !== undefined && values.url !== undefined) throw new UsageError("give --dir or --url, not both");
    if (values.app !== undefined && values.url !== undefined) throw new UsageError("--app is for --dir: nwc dev knows its code already");
    target = values.url !== undefined ? openUrlTarget(values.url as string) : await openDirTarget((values.dir as string | undefined) ?? DEFAULT_LOCAL_DIR, await appOf(values.app));
    return (await cmd.run({ target, args: positionals, values, json: values.json === true })) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`nwc ${cmd.name}: ${error.message}\n${usageOf(cmd)}`);
      return 2;
    }
    if (error instanceof NotFoundError || error instanceof RefusedError) {
      console.error(`nwc ${cmd.name}: ${error.message}`);
      return 1;
    }
    // The client's own refusals of bad input (an empty key, an oversized payload) are usage errors too.
    if (error instanceof TypeError || (error as Error).name === "PayloadTooLarge") {
      console.error(`nwc ${cmd.name}: ${(error as Error).message}`);
      return 2;
    }
    console.error(`nwc ${cmd.name}: ${(error as Error).message ?? String(error)}`);
    if (process.env.NWC_DEBUG) console.error((error as Error).stack);
    return 1;
  } finally {
    await target?.close();
  }
}
