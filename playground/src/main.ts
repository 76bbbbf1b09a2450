/**
 * The playground page: wires the editor, the compile worker, the module
 * loader, the run panel and the dashboard together. The page reads
 * `config.json` (served by `nwc playground` or `nwc dev`) for the default
 * `nwc dev` URL and the first tab (`nwc dev` opens on the dashboard);
 * `?tab=dashboard` opens the dashboard, `?preset=<id>` a preset.
 */
import { compile, PROGRAM_FILE, type CompileView } from "./adapters/compile.ts";
import { loadProgram, type LoadedProgram } from "./adapters/module-loader.ts";
import { PRESETS, presetById } from "./presets.ts";
import { createEditor } from "./ui/editor.ts";
import { RunPanel } from "./ui/run-panel.ts";
import { Dashboard } from "./ui/dashboard.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);

let latestRequest = 0;
let lastView: CompileView | undefined;
let preferredMachine: string | undefined;

function entryOf(view: CompileView): string {
  const base = PROGRAM_FILE.replace(/\.ts$/, "");
  return view.outputs.find((o) => o.fileName.startsWith(base) && /\.m?js$/.test(o.fileName))?.fileName ?? view.outputs[0]?.fileName ?? "";
}

async function reload(): Promise<LoadedProgram> {
  if (!lastView) throw new Error("no compiled program");
  return loadProgram(lastView.outputs, entryOf(lastView));
}

const runPanel = new RunPanel({ reload });

function showDiagnostics(view: CompileView): void {
  const list = $("diagnostics");
  if (view.diagnostics.length === 0) {
    list.replaceChildren(Object.assign(document.createElement("li"), { className: "ok", textContent: `No diagnostics · ${view.machines.length} machine${view.machines.length === 1 ? "" : "s"} compiled in ${Math.round(view.elapsedMs)} ms` }));
    return;
  }
  list.replaceChildren(...view.diagnostics.map((d) => Object.assign(document.createElement("li"), {
    textContent: `${d.line}:${d.column} ${d.code}: ${d.message}${d.expression ? ` \`${d.expression}\`` : ""}${d.fix ? ` Fix: ${d.fix}` : ""}`,
  })));
}

async function recompile(text: string): Promise<void> {
  $("compile-status").textContent = "compiling…";
  const view = await compile(text);
  if (view.requestId < latestRequest) return;
  latestRequest = view.requestId;
  editor.showDiagnostics(view.diagnostics);
  showDiagnostics(view);
  if (view.diagnostics.length > 0 || view.outputs.length === 0) {
    $("compile-status").textContent = `${view.diagnostics.length} diagnostic${view.diagnostics.length === 1 ? "" : "s"}`;
    document.body.dataset.compiled = "errors";
    return;
  }
  lastView = view;
  try {
    const program = await reload();
    runPanel.setProgram(program, preferredMachine);
    preferredMachine = undefined;
    $("compile-status").textContent = program.uncompiled.length ? `not compiled: ${program.uncompiled.join(", ")}` : `compiled (${Math.round(view.elapsedMs)} ms)`;
    document.body.dataset.compiled = "ok";
  } catch (e) {
    $("compile-status").textContent = `could not load the compiled program: ${(e as Error).message}`;
    document.body.dataset.compiled = "errors";
  }
}

function applyPreset(id: string): void {
  const p = presetById(id);
  $<HTMLInputElement>("input").value = JSON.stringify(p.input);
  $<HTMLInputElement>("event-name").value = p.event?.name ?? "";
  $<HTMLInputElement>("event-data").value = p.event ? JSON.stringify(p.event.data) : "";
  preferredMachine = p.orchestration;
  editor.setText(p.code);
}

const presetSelect = $<HTMLSelectElement>("preset");
presetSelect.append(...PRESETS.map((p) => Object.assign(document.createElement("option"), { value: p.id, textContent: p.title })));
const firstPreset = PRESETS.find((p) => p.id === params.get("preset")) ?? PRESETS[0]!;
presetSelect.value = firstPreset.id;
const editor = createEditor($("editor"), "", (text) => void recompile(text));
applyPreset(firstPreset.id);
presetSelect.onchange = () => applyPreset(presetSelect.value);

/** What the server of this page says: the dashboard's `nwc dev` (its own origin when `nwc dev` serves the page) and the tab to open. */
async function pageConfig(): Promise<{ devUrl?: string; tab?: string }> {
  try {
    const res = await fetch("./config.json");
    return res.ok ? ((await res.json()) as { devUrl?: string; tab?: string }) : {};
  } catch {
    return {};
  }
}

const config = await pageConfig();
const dashboard = new Dashboard(params.get("dev") ?? config.devUrl);

function showTab(tab: string): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>(".tab")) b.classList.toggle("selected", b.dataset.tab === tab);
  $("playground").hidden = tab !== "playground";
  $("dashboard").hidden = tab !== "dashboard";
  if (tab === "dashboard") dashboard.show();
  else dashboard.pause();
}
for (const b of document.querySelectorAll<HTMLButtonElement>(".tab")) b.onclick = () => showTab(b.dataset.tab!);
// An instance in the hash (a link from elsewhere) is the dashboard's.
const firstTab = params.get("tab") ?? (location.hash.startsWith("#instance=") ? "dashboard" : config.tab);
showTab(firstTab === "dashboard" ? "dashboard" : "playground");
document.body.dataset.ready = "true";
