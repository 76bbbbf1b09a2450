/** NWC1010: `process.env` (and `import { env } from "node:process"`) differs between workers and over time. */
import { effectRule } from "../effect-rule.ts";

export default effectRule({
  name: "no-process-env",
  code: "NWC1010",
  category: "env",
  reads: true,
  description: "Disallow process.env in orchestration code; pass configuration in the input.",
  message: { message: "{{name}} is read from the worker's environment, which may differ when a step runs again{{via}}", fix: "pass the value in the orchestration's input, or read it in an activity" },
});
