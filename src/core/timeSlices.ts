/** Long jobs cut into short slices, so that the extension host (and other extensions) stay responsive. */

/** Lets other work run (timers, I/O, other extensions) between the steps of a long job. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Runs `step` in slices of about `sliceMs`, the event loop free before each, until it returns true
 * (done) or `cancelled()` says to stop. Returns the longest slice in milliseconds.
 */
export async function runInSlices(step: (stop: () => boolean) => boolean, options: { sliceMs?: number; cancelled?: () => boolean } = {}): Promise<number> {
  const sliceMs = options.sliceMs ?? 8;
  let longest = 0;
  for (;;) {
    await yieldToEventLoop();
    if (options.cancelled?.()) return longest;
    const started = Date.now();
    const done = step(() => Date.now() - started >= sliceMs);
    longest = Math.max(longest, Date.now() - started);
    if (done) return longest;
  }
}
