/** NWC1006: in-memory timers (setTimeout, setInterval, setImmediate, queueMicrotask, node:timers) do not survive a restart. */
import { effectRule } from "../effect-rule.ts";

export default effectRule({
  name: "no-timers",
  code: "NWC1006",
  category: "timer",
  description: "Disallow setTimeout and other in-memory timers in orchestration code; use ctx.sleep().",
  message: { message: "{{name}} schedules work in memory, which is lost when the instance is unloaded{{via}}", fix: "use await {{ctx}}.sleep(ms) or {{ctx}}.sleepUntil(epochMs)" },
});
