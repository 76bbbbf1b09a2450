/**
 * `nwc raise <id> <event> [json]`: raise an external event for an instance
 * (what its ctx.waitForEvent(event) receives). With --dir the event is queued
 * in the store: a host running on it applies it, or the next one started.
 */
import { parseJsonArg } from "../instances/args.ts";
import { runInstanceCommand, type InstanceCommand } from "../instances/command.ts";

export const summary = "raise an event for an instance";

const command: InstanceCommand = {
  name: "raise",
  usage: "<id> <event> [json]",
  positionals: { min: 2, max: 3 },
  async run({ target, args: [id, event, data], json }) {
    const value = parseJsonArg(data, "the event data (argument 3)");
    await target.raise(id!, event!, value);
    console.log(json ? JSON.stringify({ instanceId: id, event, raised: true }) : `raised ${event} for ${id} (${target.label})`);
  },
};

export const run = (args: string[]): Promise<number> => runInstanceCommand(command, args);
