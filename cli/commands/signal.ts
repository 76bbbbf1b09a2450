/**
 * `nwc signal <name> <key> <op> [json]`: run an entity operation, fire and
 * forget. With --dir it is queued in the store for the host running on it.
 */
import { parseJsonArg } from "../instances/args.ts";
import { runInstanceCommand, type InstanceCommand } from "../instances/command.ts";

export const summary = "signal an entity operation";

const command: InstanceCommand = {
  name: "signal",
  usage: "<name> <key> <op> [json]",
  positionals: { min: 3, max: 4 },
  async run({ target, args: [name, key, op, input], json }) {
    const value = parseJsonArg(input, "the operation input (argument 4)");
    await target.signal(name!, key!, op!, value);
    console.log(json ? JSON.stringify({ name, key, op, signalled: true }) : `signalled ${name}/${key}.${op} (${target.label})`);
  },
};

export const run = (args: string[]): Promise<number> => runInstanceCommand(command, args);
