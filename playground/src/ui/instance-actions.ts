/**
 * Raise an event to, or terminate, the opened instance (POST
 * .../events/:name, POST .../terminate). The forms are static elements of the
 * page, shown while the instance runs: the periodic refresh re-renders the
 * detail beside them, never what the user is typing.
 */
import type { DevApi, InstanceStatusView } from "../adapters/dev-api.ts";
import { parseJsonField } from "./html.ts";
import { isFinished } from "./instance-view.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class InstanceActions {
  private instanceId: string | undefined;

  constructor(private readonly api: () => DevApi | undefined, private readonly changed: () => void) {
    $<HTMLFormElement>("raise-form").onsubmit = (e) => {
      e.preventDefault();
      void this.act("raise");
    };
    $<HTMLFormElement>("terminate-form").onsubmit = (e) => {
      e.preventDefault();
      void this.act("terminate");
    };
  }

  /** Shows the forms for a running instance; a newly opened one gets the event it waits for filled in. */
  show(s: InstanceStatusView | undefined): void {
    const panel = $("instance-actions");
    panel.hidden = !s || isFinished(s.status);
    if (!s || s.instanceId === this.instanceId) return;
    this.instanceId = s.instanceId;
    $<HTMLInputElement>("raise-name").value = s.waits?.events[0] ?? "";
    $<HTMLInputElement>("raise-data").value = "";
    $<HTMLInputElement>("terminate-reason").value = "";
    this.say("");
  }

  private say(text: string, error = false): void {
    const el = $("action-status");
    el.textContent = text;
    el.className = error ? "error" : "muted";
  }

  private async act(kind: "raise" | "terminate"): Promise<void> {
    const api = this.api(), id = this.instanceId;
    if (!api || !id) return;
    try {
      if (kind === "raise") {
        const name = $<HTMLInputElement>("raise-name").value.trim();
        if (!name) throw new Error("name the event to raise");
        await api.raise(id, name, parseJsonField($<HTMLInputElement>("raise-data").value, "event data", undefined));
        this.say(`raised ${name}`);
      } else {
        await api.terminate(id, $<HTMLInputElement>("terminate-reason").value.trim() || "terminated from the dashboard");
        this.say("terminating");
      }
      this.changed();
    } catch (e) {
      this.say((e as Error).message, true);
    }
  }
}
