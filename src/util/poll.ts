// Waiting on a state nothing announces (a process that is not our child going away, a directory its
// owner removes): the condition is checked every interval until it holds or the deadline passes.

/** True once `condition` holds, false when the deadline passed first. */
export async function pollUntil(condition: () => boolean | Promise<boolean>, deadlineMs: number, intervalMs = 20): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
