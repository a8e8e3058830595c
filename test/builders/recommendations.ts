import type { RouteDecision } from '../../src/core';
import type { StageRecommendation } from '../../src/core/routing/recommendation';

/**
 * A stage's recommendation with only what a test cares about set; the rest are the values of a
 * judged stage that keeps its cheap tier. The verdict follows the tier move and `judged` unless given.
 */
export function recommendation(r: Partial<StageRecommendation> & { stage: string }): StageRecommendation {
  const change = r.change ?? 'keep';
  return {
    workflow: 'w',
    model: 'claude-haiku-4-5',
    tier: 'cheap',
    reason: 'because',
    target: 0.8,
    fallback: false,
    calls: 50,
    judged: true,
    verdict: change === 'upgrade' || change === 'downgrade' ? change : r.judged === false ? 'thin-evidence' : 'keep',
    outOfReach: false,
    adaptive: true,
    currentTier: 'cheap',
    change,
    evidence: null,
    confident: false,
    decision: {} as RouteDecision,
    ...r,
  };
}
