/**
 * The opened instance, as markup: status, where it waits (highlighted on its
 * orchestration's graph), its parent and children as links, the failed step
 * with its error and source line, its history, input, output and custom status.
 *
 * Invariant: pure (data in, markup out); every text goes through `esc`.
 */
import type { HistoryView, InstanceStatusView, OrchestrationView } from "../adapters/dev-api.ts";
import { knownIds } from "../graph/position.ts";
import { renderGraphSvg } from "../graph/render.ts";
import { failedStep, type FailedStep } from "./failed-step.ts";
import { childrenInHistory, renderHistory } from "./history-view.ts";
import { esc, instanceLink, json } from "./html.ts";

export interface InstanceViewData {
  status: InstanceStatusView;
  orchestration: OrchestrationView | undefined;
  /** Undefined: the host has no history route. */
  history: HistoryView | undefined;
  /** Instances of the list that name this one as their parent. */
  listedChildren: string[];
}

export function isFinished(status: string): boolean {
  return status === "Completed" || status === "Failed" || status === "Terminated";
}

export function renderInstance({ status: s, orchestration: orch, history, listedChildren }: InstanceViewData): string {
  const position = orch ? knownIds(orch.graph, isFinished(s.status) ? ["end"] : s.position ?? []) : [];
  const failure = failedStep(s, history, orch?.graph);
  // Children: the sub-orchestrations its history says it started, and those of the list that name it as parent
  // (a history capped or switched off may miss some).
  const children = [...new Set([...childrenInHistory(history), ...listedChildren])];
  const parts = [
    `<h3>${esc(s.instanceId)} <span class="badge ${esc(s.status)}">${esc(s.status)}</span></h3>`,
    `<p>${esc(s.name)}${s.version ? ` @ ${esc(s.version)}` : ""} · waits at: <b class="position">${esc(position.map((id) => labelOf(orch!, id)).join(" and ") || "-")}</b>${waitsText(s)}</p>`,
    `<p class="family">parent: <span class="parent">${s.parentInstanceId ? instanceLink(s.parentInstanceId) : "-"}</span> · children: <span class="children">${children.length ? children.map(instanceLink).join(", ") : "-"}</span></p>`,
    failure ? renderFailure(failure) : "",
    orch
      ? `<div class="graph">${renderGraphSvg(orch.graph, { active: position, failed: failure?.stateIds ?? [] })}</div>`
      : `<p class="muted">The orchestration ${esc(s.name)} is not registered with this host.</p>`,
    renderHistory(history),
    `<h3>Input</h3><pre class="input">${esc(json(s.input))}</pre>`,
    `<h3>Output</h3><pre class="output">${esc(json(s.output))}</pre>`,
    s.error && !failure ? `<h3>Error</h3><pre class="error">${esc(`${s.error.name}: ${s.error.message}`)}</pre>` : "",
    s.customStatus !== undefined ? `<h3>Custom status</h3><pre>${esc(json(s.customStatus))}</pre>` : "",
  ];
  return parts.join("");
}

function renderFailure(f: FailedStep): string {
  const where = f.awaits.length ? f.awaits.map((a) => (a.line !== undefined ? `line ${a.line}${a.label ? `: ${a.label}` : ""}` : (a.label ?? ""))).join(" and ") : undefined;
  return [
    `<div class="failed-step"><h3>Failed step</h3>`,
    `<p class="failure-error error"><b>${esc(f.error.name)}</b>: ${esc(f.error.message)}</p>`,
    where ? `<p>after <span class="where await-line">${esc(where)}</span></p>` : "",
    f.causes.length ? `<p>from ${f.causes.map(esc).join("; ")}</p>` : "",
    f.thrownAt ? `<p>thrown at <span class="where thrown-at">${esc(f.thrownAt)}</span></p>` : "",
    f.error.stack ? `<details><summary>stack</summary><pre class="stack">${esc(f.error.stack)}</pre></details>` : "",
    `</div>`,
  ].join("");
}

function waitsText(s: InstanceStatusView): string {
  const w = s.waits;
  if (!w) return "";
  const parts = [...w.events.map((e) => `event "${e}"`), ...w.timers.map((t) => `timer at ${new Date(t.fireAtMs).toLocaleTimeString()}`), ...w.activities.map((a) => `activity ${a.name}`)];
  return parts.length ? ` · for <span class="waits">${esc(parts.join(" or "))}</span>` : "";
}

function labelOf(orch: OrchestrationView, id: string): string {
  const st = orch.graph.states.find((x) => x.id === id);
  return st ? (st.line !== undefined ? `${st.label} (line ${st.line})` : st.label) : id;
}
