// The process's JIT warm-up for latency figures, on a store of its own (no stage a figure measures
// is touched). V8 optimises route()'s code only after it has run it often, on inputs of the shapes
// it will meet: on a 2-core machine its compilations (tens of ms each, in the background) and the
// de-optimisations of code tuned on small histories take the decisions' core away from them for a
// scheduler tick (~4 ms) now and then. A store with the measured file's proportions (stages of
// about a thousand recent calls, four models, costs, latencies) and a decide-and-record loop on it
// compile the same paths once; the process's first decisions are reported apart (bench:perf).
import type { AdaptiveModelRouter, ModelRegistry, openTelemetryStore, LlmCallInput } from '../../src/core';
import { seededRandom } from '../../src/core/random';

export interface CoreApi {
  AdaptiveModelRouter: typeof AdaptiveModelRouter;
  ModelRegistry: typeof ModelRegistry;
  openTelemetryStore: typeof openTelemetryStore;
}

const MODELS = ['claude-haiku-4-5', 'claude-sonnet-5', 'claude-fable-5', 'claude-opus-4-8'];
const TIERS = ['cheap', 'capable', 'premium', null] as const;

/** 30,000 calls over 4 workflows x 5 stages in memory, then `loops` decide-and-record rounds on them. */
export async function warmUpRouterCode(core: CoreApi, now: number, loops = 2000): Promise<void> {
  const store = await core.openTelemetryStore({ now: () => new Date(now) });
  const router = new core.AdaptiveModelRouter(store, { registry: new core.ModelRegistry(), random: seededRandom(1) });
  const random = seededRandom(2026);
  const calls: LlmCallInput[] = [];
  const n = 30_000;
  for (let i = 0; i < n; i++) {
    const m = Math.floor(random() * 4);
    calls.push({
      workflow: `warm-up-${Math.floor(random() * 4)}`,
      stage: `stage-${Math.floor(random() * 5)}`,
      tier: TIERS[m],
      model: MODELS[m],
      provider: 'anthropic',
      cost: 0.001 * (m + 1),
      tokens: { input: 1000, output: 300 },
      durationMs: 300 + Math.floor(random() * 4000),
      success: random() < 0.75 + m * 0.06,
      ts: now - 30 * 86_400_000 + Math.floor((i / n) * 30 * 86_400_000),
    });
  }
  store.trackLlmCalls(calls);
  for (let i = 0; i < loops; i++) {
    const query = { workflow: `warm-up-${i % 4}`, stage: `stage-${Math.floor(random() * 5)}` };
    const decision = router.route(query);
    store.trackLlmCall({ ...query, model: decision.model, tier: decision.tier, success: random() < 0.85, durationMs: 900, cost: 0.002, ts: new Date(now) });
  }
  store.dispose();
}
