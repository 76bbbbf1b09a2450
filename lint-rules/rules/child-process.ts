/** NWC1009: child processes and threads (node:child_process, worker_threads, cluster). */
import { effectRule } from "../effect-rule.ts";

export default effectRule({
  name: "no-child-process",
  code: "NWC1009",
  category: "child-process",
  description: "Disallow child processes and worker threads in orchestration code; start them in an activity.",
  message: { message: "{{name}} starts a process or thread outside the runtime's control{{via}}", fix: "move it into an activity and await {{ctx}}.call(activity, input)" },
});
