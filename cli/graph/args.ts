/**
 * A tiny argument parser for the commands of this folder: flags with values
 * (`-p x`, `--out=x`), boolean flags, and positionals. An unknown flag or a
 * missing value is an error naming the flag and the command's usage.
 */
export interface Parsed {
  flags: Record<string, string | true>;
  positionals: string[];
}

export function parseArgs(args: readonly string[], spec: { values: string[]; booleans: string[]; usage: string }): Parsed {
  const flags: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("-") || arg === "-") { positionals.push(arg); continue; }
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (spec.booleans.includes(name)) { flags[name] = true; continue; }
    if (spec.values.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value\n${spec.usage}`);
      flags[name] = value;
      continue;
    }
    throw new UsageError(`unknown option ${name}\n${spec.usage}`);
  }
  return { flags, positionals };
}

export class UsageError extends Error {}
