/** NWC1008: file system access (node:fs, fs/promises, fs-extra). */
import { effectRule } from "../effect-rule.ts";

export default effectRule({
  name: "no-file-system",
  code: "NWC1008",
  category: "fs",
  description: "Disallow file system access in orchestration code; do it in an activity.",
  message: { message: "{{name}} accesses the file system, which the runtime cannot record or retry{{via}}", fix: "move it into an activity and await {{ctx}}.call(activity, input)" },
});
