/**
 * The `nwc` command line: `nwc <command> [args]`. Each command lives in
 * cli/commands/<command>.ts and exports `run(args): Promise<number>` (the exit
 * code) and `summary` (one line for the help text); this file only dispatches.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ownModuleUrl } from "../runtime/package-layout.ts";

// `nwc run ... | head`: a reader that stops early is not an error of nwc's.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const TOOL_COMMANDS = ["build", "check", "graph", "run", "dev", "deploy", "playground"] as const;
/** Commands on the instances of a store directory (--dir, default .nwc) or a running nwc dev (--url). */
const INSTANCE_COMMANDS = ["list", "show", "raise", "terminate", "purge", "entity", "signal", "versions", "upgrade"] as const;
const COMMANDS = [...TOOL_COMMANDS, ...INSTANCE_COMMANDS] as const;

interface CommandModule {
  summary: string;
  run(args: string[]): Promise<number>;
}

async function load(name: string): Promise<CommandModule | undefined> {
  const url = ownModuleUrl(`./commands/${name}.ts`, import.meta.url);
  return existsSync(fileURLToPath(url)) ? ((await import(url.href)) as CommandModule) : undefined;
}

async function help(): Promise<void> {
  const lines = ["usage: nwc <command> [options]", "", "commands:"];
  const section = async (names: readonly string[]) => {
    for (const name of names) {
      const mod = await load(name);
      if (mod) lines.push(`  ${name.padEnd(11)} ${mod.summary}`);
    }
  };
  await section(TOOL_COMMANDS);
  lines.push("", "instances, in a store directory (--dir, default .nwc) or a running nwc dev (--url http://127.0.0.1:7071):");
  await section(INSTANCE_COMMANDS);
  lines.push("", "Run 'nwc <command> --help' for a command's options.");
  console.log(lines.join("\n"));
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    await help();
    return name ? 0 : 2;
  }
  const mod = (COMMANDS as readonly string[]).includes(name) ? await load(name) : undefined;
  if (!mod) {
    console.error(`nwc: unknown command "${name}"; run 'nwc --help' for the list of commands`);
    return 2;
  }
  return mod.run(args);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    console.error(`nwc: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.NWC_DEBUG && error instanceof Error) console.error(error.stack);
    process.exitCode = 1;
  },
);
