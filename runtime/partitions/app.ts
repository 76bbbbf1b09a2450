/**
 * The application a host runs: orchestrations (every version given), activities
 * and entities by name, built from the `app` option of startHost (a flat or
 * nested array, or modules' export objects).
 *
 * Invariants: a name maps to one activity and one entity; an orchestration
 * name may have several machine versions (instances keep the version they
 * started on) and the last one given is used for new starts; an orchestration
 * without a compiled machine is refused with the way to compile it. A version
 * the app lacks is asked of the host's `VersionSource` (runtime/versions/:
 * the code stored with the backend) once per host: loaded, it joins the app;
 * failed, the reason is kept (a host that can load it is a new host).
 */
import type { Activity, Entity, Orchestration } from "../api.ts";
import type { Machine } from "../machine.ts";

export class NotCompiledError extends Error {
  constructor(name: string) {
    super(
      `orchestration "${name}" was not compiled: its body is still an async function. ` +
        `Run 'nwc build' and use the emitted code, or load the file with 'node --import nwc/register' (nwc run does this for you)`,
    );
    this.name = "NotCompiledError";
  }
}

/** Where a host finds machine versions its app lacks (runtime/versions/keeper.ts). */
export interface VersionSource {
  /** The machine of that version, or a rejection whose message says why it cannot be had. */
  load(name: string, version: string): Promise<Machine>;
}

export type MachineLookup = { machine: Machine } | { loading: Promise<unknown> } | { unavailable: string };

export class App {
  readonly orchestrations = new Map<string, Map<string, Machine>>();
  readonly latest = new Map<string, Machine>();
  /** Orchestrations whose latest version was given with `upgrade: "auto"`. */
  readonly autoUpgrade = new Set<string>();
  readonly activities = new Map<string, Activity>();
  readonly entities = new Map<string, Entity>();
  /** `name@version` of every machine the app was given (not loaded from stored versions). */
  readonly given = new Set<string>();
  versionSource?: VersionSource;
  private readonly loads = new Map<string, Promise<unknown>>();
  private readonly unavailable = new Map<string, string>();

  static from(app: unknown): App {
    const a = new App();
    a.add(app, "app");
    return a;
  }

  private add(item: unknown, path: string): void {
    if (Array.isArray(item)) {
      item.forEach((x, i) => this.add(x, `${path}[${i}]`));
      return;
    }
    const kind = (item as { kind?: unknown } | null)?.kind;
    if (kind === "orchestration") return this.addOrchestration(item as Orchestration);
    if (kind === "activity") return this.addActivity(item as Activity);
    if (kind === "entity") return this.addEntity(item as Entity);
    if (item !== null && typeof item === "object" && Object.getPrototypeOf(item) === null || isModuleLike(item)) {
      // A module namespace (import * as m): take every definition it exports.
      for (const [k, v] of Object.entries(item as object)) {
        const vk = (v as { kind?: unknown } | null)?.kind;
        if (vk === "orchestration" || vk === "activity" || vk === "entity" || Array.isArray(v)) this.add(v, `${path}.${k}`);
      }
      return;
    }
    throw new TypeError(
      `${path} is not an orchestration, activity or entity (got ${describe(item)}); ` +
        `pass the values returned by orchestration(), activity() and entity(), e.g. app: [helloSequence, greet]`,
    );
  }

  private addOrchestration(o: Orchestration): void {
    if (!o.machine) throw new NotCompiledError(o.name);
    if (o.machine.name !== o.name) throw new TypeError(`orchestration "${o.name}": its machine is named "${o.machine.name}"; recompile it`);
    const versions = this.orchestrations.get(o.name) ?? new Map<string, Machine>();
    versions.set(o.machine.version, o.machine);
    this.orchestrations.set(o.name, versions);
    this.latest.set(o.name, o.machine);
    this.given.add(`${o.name}@${o.machine.version}`);
    if (o.upgrade === "auto") this.autoUpgrade.add(o.name);
    else this.autoUpgrade.delete(o.name);
  }

  private addActivity(a: Activity): void {
    const existing = this.activities.get(a.name);
    if (existing && existing !== a) throw new TypeError(`two different activities are named "${a.name}"; activity names must be unique`);
    this.activities.set(a.name, a);
  }

  private addEntity(e: Entity): void {
    const existing = this.entities.get(e.name);
    if (existing && existing !== e) throw new TypeError(`two different entities are named "${e.name}"; entity names must be unique`);
    this.entities.set(e.name, e);
  }

  machine(name: string, version: string): Machine | undefined {
    return this.orchestrations.get(name)?.get(version);
  }

  /** The machine of a version, loading it from the version source if the app lacks it. */
  lookup(name: string, version: string): MachineLookup {
    const machine = this.machine(name, version);
    if (machine) return { machine };
    const key = `${name}@${version}`;
    const reason = this.unavailable.get(key);
    if (reason !== undefined) return { unavailable: reason };
    const source = this.versionSource;
    if (!source) return { unavailable: "this host keeps no stored versions" };
    let loading = this.loads.get(key);
    if (!loading) {
      loading = source.load(name, version).then(
        (m) => {
          if (m.name !== name || m.version !== version) throw new Error(`the version source returned ${m.name}@${m.version} for ${key}`);
          const versions = this.orchestrations.get(name) ?? new Map<string, Machine>();
          versions.set(version, m);
          this.orchestrations.set(name, versions);
        },
      ).catch((error) => {
        if (!this.machine(name, version)) this.unavailable.set(key, (error as Error)?.message ?? String(error));
      }).finally(() => this.loads.delete(key));
      this.loads.set(key, loading);
    }
    return { loading };
  }
}

function isModuleLike(item: unknown): boolean {
  return item !== null && typeof item === "object" && (item as any)[Symbol.toStringTag] === "Module";
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "function") return `a function${v.name ? ` named ${v.name}` : ""}`;
  if (typeof v === "object") return `an object with keys ${Object.keys(v as object).slice(0, 5).join(", ") || "(none)"}`;
  return `${typeof v} ${String(v)}`;
}
