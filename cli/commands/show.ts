/**
 * `nwc show <id> [--app file.ts]`: an instance's status, what it waits for and
 * where in the source (the graph states of its machine: from nwc dev, or from
 * the --app file with --dir), input, output, error with its stack, custom status.
 */
import { runInstanceCommand, type InstanceCommand } from "../instances/command.ts";
import { detailsJson, instanceDetails, raiseCommand } from "../instances/format.ts";
import { notFound } from "../instances/target.ts";

export const summary = "show one instance: status, what and where it waits, input, output, error";

const command: InstanceCommand = {
  name: "show",
  usage: "<id> [--app file.ts]",
  options: { app: { type: "string" } },
  positionals: { min: 1, max: 1 },
  async run({ target, args: [id], json }) {
    const details = await target.show(id!);
    if (!details) throw notFound(id!, target);
    console.log(json ? JSON.stringify(detailsJson(details), null, 2) : instanceDetails(details, (event) => raiseCommand(id!, event, target.flag)));
  },
};

export const run = (args: string[]): Promise<number> => runInstanceCommand(command, args);
