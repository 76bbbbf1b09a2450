/**
 * Keys of per-task objects (timers, activities): `<prefix><execution>:<taskId>:<instanceId>`.
 * The instance id is last because it may itself contain ':'.
 */
export function instanceOfTaskKey(key: string): string {
  const first = key.indexOf(":");
  const second = key.indexOf(":", first + 1);
  const third = key.indexOf(":", second + 1);
  if (first < 0 || second < 0 || third < 0) throw new Error(`malformed task key ${key}`);
  return key.slice(third + 1);
}
