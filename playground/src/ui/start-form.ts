/**
 * The dashboard's start form: an orchestration of the host, its input as
 * JSON, an optional instance id; POST /api/instances, then the new instance
 * opens. Bad JSON is refused in the page, before any request.
 */
import type { DevApi, OrchestrationView } from "../adapters/dev-api.ts";
import { parseJsonField } from "./html.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class StartForm {
  constructor(private readonly api: () => DevApi | undefined, private readonly opened: (instanceId: string) => void) {
    $<HTMLFormElement>("start-form").onsubmit = (e) => {
      e.preventDefault();
      void this.start();
    };
  }

  /** Lists the host's orchestrations, keeping the current choice. */
  setOrchestrations(list: readonly OrchestrationView[]): void {
    const select = $<HTMLSelectElement>("start-name");
    const names = list.map((o) => o.name).sort();
    if ([...select.options].map((o) => o.value).join("\n") === names.join("\n")) return;
    const current = select.value;
    select.replaceChildren(...names.map((n) => Object.assign(document.createElement("option"), { value: n, textContent: n })));
    if (names.includes(current)) select.value = current;
  }

  private say(text: string, error = false): void {
    const el = $("start-status");
    el.textContent = text;
    el.className = error ? "error" : "muted";
  }

  private async start(): Promise<void> {
    const api = this.api();
    if (!api) return this.say("not connected", true);
    const name = $<HTMLSelectElement>("start-name").value;
    if (!name) return this.say("this host has no orchestrations", true);
    try {
      const input = parseJsonField($<HTMLTextAreaElement>("start-input").value, "input", null);
      const id = $<HTMLInputElement>("start-id").value.trim();
      const { instanceId } = await api.start(name, input, id || undefined);
      this.say(`started ${instanceId}`);
      // An id is used once: the next start gets a new one unless another is typed.
      $<HTMLInputElement>("start-id").value = "";
      this.opened(instanceId);
    } catch (e) {
      this.say((e as Error).message, true);
    }
  }
}
