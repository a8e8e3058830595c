import { seededRandom } from '../random';
import { ModelRegistry } from '../routing/registry';
import type { Tier } from '../tiers';
import type { LlmCallInput } from '../types';

interface StageProfile {
  workflow: string;
  stage: string;
  /** Calls per model over the sample period, with the model's true success rate there. */
  mix: Array<{ tier: Tier; calls: number; success: number; inputTokens: number; outputTokens: number; latencyMs: number; span?: [number, number] }>;
}

/**
 * A realistic two-week history: a review stage whose cheap model fails too often, stages where the
 * cheap model is enough (one of them tried on the capable tier for a while, at a cost a downgrade
 * would save), a test-generation stage already on the capable tier, and one premium plan.
 */
const PROFILES: StageProfile[] = [
  {
    workflow: 'code-review',
    stage: 'analysis',
    mix: [
      { tier: 'cheap', calls: 140, success: 0.68, inputTokens: 1500, outputTokens: 250, latencyMs: 1250 },
      { tier: 'capable', calls: 30, success: 0.97, inputTokens: 1500, outputTokens: 260, latencyMs: 2350, span: [0.55, 0.85] },
    ],
  },
  {
    workflow: 'code-review',
    stage: 'summary',
    mix: [{ tier: 'cheap', calls: 160, success: 0.96, inputTokens: 900, outputTokens: 200, latencyMs: 800 }],
  },
  {
    workflow: 'code-review',
    stage: 'security-scan',
    mix: [
      { tier: 'cheap', calls: 60, success: 0.93, inputTokens: 2400, outputTokens: 300, latencyMs: 1400 },
      { tier: 'capable', calls: 25, success: 0.98, inputTokens: 2400, outputTokens: 320, latencyMs: 2600 },
    ],
  },
  {
    workflow: 'test-generation',
    stage: 'plan',
    mix: [{ tier: 'cheap', calls: 90, success: 0.92, inputTokens: 1200, outputTokens: 400, latencyMs: 1000 }],
  },
  {
    workflow: 'test-generation',
    stage: 'generate',
    mix: [
      { tier: 'capable', calls: 110, success: 0.74, inputTokens: 3000, outputTokens: 1500, latencyMs: 5200 },
      { tier: 'premium', calls: 12, success: 0.95, inputTokens: 3000, outputTokens: 1400, latencyMs: 9100, span: [0.6, 0.85] },
    ],
  },
  {
    workflow: 'refactor-plan',
    stage: 'design',
    mix: [{ tier: 'premium', calls: 24, success: 1, inputTokens: 5000, outputTokens: 2000, latencyMs: 12000 }],
  },
  {
    workflow: 'refactor-plan',
    stage: 'checklist',
    mix: [{ tier: 'cheap', calls: 6, success: 1, inputTokens: 700, outputTokens: 300, latencyMs: 700 }],
  },
  // Last (the calls above keep their ids and draws): a trial of the capable tier on the summary stage
  // this week, which did no better than the cheap model beside it: what the savings figures show.
  {
    workflow: 'code-review',
    stage: 'summary',
    mix: [{ tier: 'capable', calls: 45, success: 0.97, inputTokens: 900, outputTokens: 210, latencyMs: 1500, span: [0.55, 0.95] }],
  },
];

export interface SampleOptions {
  now?: Date;
  seed?: number;
  /** How many days the history spans (default 14, so a 7-day window sees about half). */
  days?: number;
  registry?: ModelRegistry;
  /**
   * The exact moment the sample ends, in place of the start of `now`'s UTC day: a 7 x 24-hour
   * window then sees the same calls at any hour (tests anchor it a fixed time before their clock).
   */
  end?: Date;
}

/** Deterministic sample calls, ordered by time, ending just before the start of `now`'s UTC day (or `end`). */
export function generateSampleCalls(options: SampleOptions = {}): LlmCallInput[] {
  // Anchored to the start of the UTC day: creating the sample twice on one day adds nothing
  // (same ids, same times), since a call is identified by its id, stage and time.
  const now = options.end?.getTime() ?? Math.floor((options.now ?? new Date()).getTime() / 86_400_000) * 86_400_000;
  const days = options.days ?? 14;
  const random = seededRandom(options.seed ?? 42);
  const registry = options.registry ?? new ModelRegistry();
  const calls: LlmCallInput[] = [];
  let seq = 0;
  for (const profile of PROFILES) {
    for (const part of profile.mix) {
      const model = registry.modelForTier(part.tier) ?? part.tier;
      // A part with a span covers only that share of the period: a trial that has ended.
      const [from, to] = part.span ?? [0, 1];
      for (let i = 0; i < part.calls; i++) {
        const fraction = from + ((i + random()) / part.calls) * (to - from);
        const ts = now - days * 86_400_000 + fraction * days * 86_400_000;
        const inputTokens = Math.round(part.inputTokens * (0.6 + random() * 0.8));
        const outputTokens = Math.round(part.outputTokens * (0.6 + random() * 0.8));
        const success = random() < part.success;
        calls.push({
          id: `sample-${seq++}`,
          ts: new Date(Math.min(ts, now - 1000)),
          workflow: profile.workflow,
          stage: profile.stage,
          tier: part.tier,
          model,
          provider: 'anthropic',
          cost: registry.estimateCost(model, inputTokens, outputTokens),
          tokens: { input: inputTokens, output: outputTokens },
          durationMs: Math.round(part.latencyMs * (0.7 + random() * 0.6) * (success ? 1 : 1.4)),
          success,
          error: success ? null : 'validation_failed: output did not pass the stage check',
          cacheHit: random() < 0.2,
        });
      }
    }
  }
  return calls.sort((a, b) => (a.ts as Date).getTime() - (b.ts as Date).getTime());
}
