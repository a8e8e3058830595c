import type { RouteDecision, TierUpgradeVerdict } from '../../src/core';
import { failureEvidence } from '../../src/core/stats/failureEvidence';
import type { StageOverview } from '../../src/core/stats/overview';
import { NO_SPEND } from '../../src/core/stats/spend';
import { recommendation } from './recommendations';

type ModelRow = StageOverview['models'][number];

/** A model's row of a stage: `calls` at `successRate`, a cheap model's cost, billed. */
export function modelRow(model: string, calls: number, successRate: number, over: Partial<ModelRow> = {}): ModelRow {
  return {
    model,
    calls,
    successRate,
    avgCost: 0.002,
    avgLatencyMs: 900,
    p95LatencyMs: null,
    costPerSuccess: successRate > 0 ? 0.002 / successRate : null,
    tier: 'cheap',
    spend: { ...NO_SPEND, reported: 0.002 * calls, reportedCalls: calls },
    enoughData: calls >= 10,
    ...over,
  };
}

/** The seed's recent-failure verdict of a stage: no upgrade, on `sampleSize` calls. */
export function seedVerdict(workflow: string, stage: string, sampleSize: number): TierUpgradeVerdict {
  const evidence = failureEvidence(0, sampleSize, 0.2);
  return {
    upgrade: false,
    reason: 'Performance acceptable: 0.0% failure rate',
    workflow,
    stage,
    currentTier: 'cheap',
    recommendedTier: null,
    sampleSize,
    recentCalls: Math.min(20, sampleSize),
    recentFailures: 0,
    failureRate: 0,
    interval: evidence.interval,
    confident: false,
    evidence,
  };
}

/**
 * A stage of the overview with only what a test cares about set: its models (by default one cheap
 * model at 90% over 40 calls) and its recommendation (built with test/builders/recommendations.ts).
 */
export function stageOverview(
  over: Omit<Partial<StageOverview>, 'recommendation'> & { stage: string; recommendation?: Partial<Parameters<typeof recommendation>[0]> | null },
): StageOverview {
  const workflow = over.workflow ?? 'w';
  const models = over.models ?? [modelRow('claude-haiku-4-5', 40, 0.9)];
  const calls = over.calls ?? models.reduce((n, m) => n + m.calls, 0);
  const alternatives = models.map((m) => ({
    model: m.model,
    tier: m.tier,
    calls: m.calls,
    successRate: m.successRate,
    avgCost: m.avgCost,
    chanceOfTarget: 0.5,
  }));
  return {
    workflow,
    stage: over.stage,
    calls,
    models,
    verdict: over.verdict ?? seedVerdict(workflow, over.stage, calls),
    spend: over.spend ?? { ...NO_SPEND, reported: 0.002 * calls, reportedCalls: calls },
    recommendation:
      over.recommendation === null
        ? undefined
        : recommendation({
            workflow,
            calls,
            decision: { alternatives, sampleSize: calls } as unknown as RouteDecision,
            ...over.recommendation,
            stage: over.stage,
          }),
  };
}
