/**
 * `work` run one at a time: a call during a run returns that run and asks for one more pass after
 * it, however many calls came in between (a burst of changes costs at most two passes).
 */
export function coalesced(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  const start = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = work().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        void start();
      }
    });
    return running;
  };
  return start;
}
