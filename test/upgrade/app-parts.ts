/** The old build's orchestrations only: a host given two builds takes the activities of the new one (one activity per name). */
export function orchestrationsOf(mod: Record<string, any>): unknown[] {
  return Object.values(mod).filter((v) => v?.kind === "orchestration");
}
