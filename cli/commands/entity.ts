/** `nwc entity <name> <key>`: an entity's committed state. */
import { runInstanceCommand, type InstanceCommand } from "../instances/command.ts";
import { NotFoundError } from "../instances/target.ts";

export const summary = "read an entity's state";

const command: InstanceCommand = {
  name: "entity",
  usage: "<name> <key>",
  positionals: { min: 2, max: 2 },
  async run({ target, args: [name, key], json }) {
    const state = await target.readEntity(name!, key!);
    if (state === undefined) throw new NotFoundError(`entity ${name}/${key} has no state in ${target.label} (never called, or deleted)`);
    console.log(json ? JSON.stringify({ name, key, state }, null, 2) : JSON.stringify(state, null, 2));
  },
};

export const run = (args: string[]): Promise<number> => runInstanceCommand(command, args);
