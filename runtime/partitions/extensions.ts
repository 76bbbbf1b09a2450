/**
 * Loads the core's handler tables and every extension of the partition core.
 * An extension is a module that calls registerMessageHandler /
 * registerCommandHandler and sets `hooks`; add its import here.
 */
import "./handlers/index.ts";
import "./commands/index.ts";
import "./entities/index.ts";
