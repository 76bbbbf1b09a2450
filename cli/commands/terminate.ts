/**
 * `nwc terminate <id> [reason]`: end a running or waiting instance with
 * status Terminated; the reason (text) becomes its output. A finished
 * instance is left as it is.
 */
import { runInstanceCommand, type InstanceCommand } from "../instances/command.ts";

export const summary = "terminate an instance";

const command: InstanceCommand = {
  name: "terminate",
  usage: "<id> [reason]",
  positionals: { min: 1, max: 2 },
  async run({ target, args: [id, reason], json }) {
    await target.terminate(id!, reason ?? null);
    console.log(json ? JSON.stringify({ instanceId: id, terminated: true }) : `terminating ${id} (${target.label})`);
  },
};

export const run = (args: string[]): Promise<number> => runInstanceCommand(command, args);
