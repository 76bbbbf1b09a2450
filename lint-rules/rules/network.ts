/** NWC1007: network I/O (fetch, XMLHttpRequest, WebSocket, node:http/https/net/dgram/dns, common HTTP packages). */
import { effectRule } from "../effect-rule.ts";

export default effectRule({
  name: "no-network",
  code: "NWC1007",
  category: "network",
  description: "Disallow network I/O in orchestration code; do it in an activity.",
  message: { message: "{{name}} does network I/O, which the runtime cannot record or retry{{via}}", fix: "move it into an activity and await {{ctx}}.call(activity, input)" },
});
