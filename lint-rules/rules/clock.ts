/** NWC1005: high-resolution and process clocks (performance.now, process.hrtime, process.uptime). */
import { effectRule } from "../effect-rule.ts";

export default effectRule({
  name: "no-clock",
  code: "NWC1005",
  category: "clock",
  description: "Disallow performance.now(), process.hrtime() and other clocks in orchestration code.",
  message: { message: "{{name}} reads a clock, which differs when a step runs again{{via}}", fix: "use {{ctx}}.now() for time; measure durations inside an activity" },
});
