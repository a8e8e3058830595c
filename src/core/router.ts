import { ModelRegistry } from './registry';
import { Interval, wilsonInterval } from './statistics';
import type { CallScope, TelemetryStore } from './telemetryStore';
import { Tier, nextTier, parseTier, tierIndex } from './tiers';
import type { Clock, ModelAggregate } from './types';

export interface RouterOptions {
  registry?: ModelRegistry;
  now?: Clock;
  /** A recent failure rate strictly above this recommends an upgrade (seed: 0.2). */
  failureRateThreshold?: number;
  /** Fewer calls than this in the window: no verdict (seed: 10). */
  minSampleSize?: number;
  /** How many of the most recent calls the failure rate is taken over (seed: 20). */
  recentWindowSize?: number;
  /** History window in days (seed: 7). */
  days?: number;
  /** Two-sided confidence of the failure-rate interval behind `confident`. */
  confidenceLevel?: number;
  /** Workflows that keep their declared tiers: route() does not adapt them. */
  disabledWorkflows?: Iterable<string>;
}

export interface BestModelQuery {
  workflow: string;
  stage?: string;
  maxCost?: number;
  maxLatencyMs?: number;
  minSuccessRate?: number;
}

export interface TierUpgradeVerdict {
  upgrade: boolean;
  reason: string;
  workflow: string;
  stage: string;
  /** Tier of the stage's most recent call (null when unknown). */
  currentTier: Tier | null;
  recommendedTier: Tier | null;
  /** Calls in the history window. */
  sampleSize: number;
  recentCalls: number;
  recentFailures: number;
  /** Failure rate over the recent calls. */
  failureRate: number;
  /** Interval of the failure rate over the whole window. */
  interval: Interval;
  /** True only when the whole interval lies above the threshold: the UI shows a warning, else a hint. */
  confident: boolean;
}

export interface ModelPerformance {
  calls: number;
  successRate: number;
  /** USD per call; null when neither telemetry nor the registry knows the price. */
  avgCost: number | null;
  avgLatencyMs: number | null;
  p95LatencyMs: number | null;
  costPerSuccess: number | null;
  tier: Tier | null;
}

export interface RoutingStats {
  workflow: string;
  stage: string;
  daysAnalyzed: number;
  modelsUsed: string[];
  performanceByModel: Record<string, ModelPerformance>;
  totalCalls: number;
  avgCost: number | null;
  avgSuccessRate: number;
}

export interface RouteQuery extends BestModelQuery {
  /** The tier the workflow declares for this stage (default cheap). */
  tier?: string;
}

export interface RouteDecision {
  model: string;
  tier: Tier | null;
  reason: string;
  explored: boolean;
  adaptive: boolean;
  successRate: number | null;
  interval: Interval | null;
  sampleSize: number;
  upgrade: TierUpgradeVerdict | null;
  alternatives: Array<{ model: string; tier: Tier | null; calls: number; successRate: number; avgCost: number | null; excludedBy?: string }>;
}

const DAY_MS = 86_400_000;

/** Learns from telemetry which model each workflow stage needs. */
export class AdaptiveModelRouter {
  readonly registry: ModelRegistry;
  readonly failureRateThreshold: number;
  readonly minSampleSize: number;
  readonly recentWindowSize: number;
  readonly days: number;
  readonly confidenceLevel: number;
  private readonly now: Clock;
  private readonly disabled: Set<string>;

  constructor(
    private readonly store: TelemetryStore,
    options: RouterOptions = {},
  ) {
    this.registry = options.registry ?? new ModelRegistry();
    this.now = options.now ?? store.now;
    this.failureRateThreshold = checkRange('failureRateThreshold', options.failureRateThreshold ?? 0.2, 0, 1);
    this.minSampleSize = Math.max(1, Math.round(checkRange('minSampleSize', options.minSampleSize ?? 10, 1, 1e9)));
    this.recentWindowSize = Math.max(1, Math.round(checkRange('recentWindowSize', options.recentWindowSize ?? 20, 1, 1e9)));
    this.days = checkRange('days', options.days ?? 7, 0, 1e6);
    this.confidenceLevel = checkRange('confidenceLevel', options.confidenceLevel ?? 0.9, 0.5, 0.9999);
    this.disabled = new Set(options.disabledWorkflows ?? []);
  }

  /** The cheapest model with enough evidence that meets the constraints, else the registry's cheap model. */
  getBestModel(query: BestModelQuery): string {
    const choice = this.rankCandidates(query).find((c) => !c.excludedBy);
    return choice?.model ?? this.registry.cheapModel();
  }

  /** The seed's tier-upgrade verdict, with the tiers involved and the statistical confidence. */
  recommendTierUpgrade(workflow: string, stage?: string): TierUpgradeVerdict {
    const scope = this.scope(workflow, stage, this.days);
    const aggregates = this.store.aggregateByModel(scope);
    const sampleSize = aggregates.reduce((sum, a) => sum + a.calls, 0);
    const base = { workflow, stage: stage ?? 'all', sampleSize };
    if (sampleSize < this.minSampleSize) {
      return {
        ...base,
        upgrade: false,
        reason: `Insufficient data (${sampleSize} calls, need ${this.minSampleSize})`,
        currentTier: null,
        recommendedTier: null,
        recentCalls: 0,
        recentFailures: 0,
        failureRate: 0,
        interval: { low: 0, high: 1 },
        confident: false,
      };
    }
    const recent = this.store.recentOutcomes(scope, this.recentWindowSize);
    const recentFailures = recent.filter((r) => !r.success).length;
    const failureRate = recent.length ? recentFailures / recent.length : 0;
    const allFailures = aggregates.reduce((sum, a) => sum + a.calls - a.successes, 0);
    const interval = wilsonInterval(allFailures, sampleSize, this.confidenceLevel);
    const currentTier = recent[0]?.tier ?? this.registry.tierOf(recent[0]?.model ?? '');
    const upgrade = failureRate > this.failureRateThreshold;
    const reason = upgrade
      ? `High failure rate: ${pct(failureRate)} (${recentFailures}/${recent.length} failed in recent calls)`
      : `Performance acceptable: ${pct(failureRate)} failure rate`;
    return {
      ...base,
      upgrade,
      reason,
      currentTier,
      recommendedTier: currentTier ? (upgrade ? nextTier(currentTier) : currentTier) : upgrade ? 'capable' : null,
      recentCalls: recent.length,
      recentFailures,
      failureRate,
      interval,
      confident: upgrade && interval.low > this.failureRateThreshold,
    };
  }

  /** Per-model statistics of a workflow (or one stage) over the last `days`. */
  getRoutingStats(workflow: string, options: { stage?: string; days?: number } = {}): RoutingStats {
    const days = options.days ?? this.days;
    const scope = this.scope(workflow, options.stage, days);
    const aggregates = this.store.aggregateByModel(scope);
    const performanceByModel: Record<string, ModelPerformance> = {};
    let totalCalls = 0;
    let successes = 0;
    let costSum = 0;
    let costCalls = 0;
    for (const a of aggregates) {
      const avgCost = this.averageCost(a);
      const successRate = a.successes / a.calls;
      performanceByModel[a.model] = {
        calls: a.calls,
        successRate,
        avgCost,
        avgLatencyMs: a.latencyKnown ? a.latencySum / a.latencyKnown : null,
        p95LatencyMs: this.store.latencyQuantile(scope, a.model, 0.95),
        costPerSuccess: avgCost == null || a.successes === 0 ? null : (avgCost * a.calls) / a.successes,
        tier: a.tier ?? this.registry.tierOf(a.model),
      };
      totalCalls += a.calls;
      successes += a.successes;
      if (avgCost != null) {
        costSum += avgCost * a.calls;
        costCalls += a.calls;
      }
    }
    return {
      workflow,
      stage: options.stage ?? 'all',
      daysAnalyzed: days,
      modelsUsed: aggregates.map((a) => a.model).sort(),
      performanceByModel,
      totalCalls,
      avgCost: costCalls ? costSum / costCalls : totalCalls ? null : 0,
      avgSuccessRate: totalCalls ? successes / totalCalls : 0,
    };
  }

  /**
   * The model a workflow stage should run now: the best proven model, moved up a tier when the
   * stage's recent failures call for it. (The routing-quality issue replaces this with a learner.)
   */
  route(query: RouteQuery): RouteDecision {
    const declared = parseTier(query.tier ?? 'cheap') ?? 'cheap';
    const candidates = this.rankCandidates(query);
    const alternatives = candidates.map(({ model, tier, calls, successRate, avgCost, excludedBy }) => ({ model, tier, calls, successRate, avgCost, excludedBy }));
    const declaredModel = this.registry.modelForTier(declared) ?? this.registry.cheapModel();
    if (this.disabled.has(query.workflow)) {
      return this.decision(declaredModel, declared, `Adaptive routing is off for ${query.workflow}: using the declared ${declared} tier`, null, alternatives, false);
    }
    const verdict = this.recommendTierUpgrade(query.workflow, query.stage);
    const best = candidates.find((c) => !c.excludedBy);
    if (verdict.upgrade && verdict.recommendedTier) {
      const target = verdict.recommendedTier;
      const better = candidates.find((c) => !c.excludedBy && c.tier && tierIndex(c.tier) >= tierIndex(target));
      const model = better?.model ?? this.registry.modelForTier(target) ?? declaredModel;
      return this.decision(model, target, `${verdict.reason}: moving up to the ${target} tier`, verdict, alternatives, true);
    }
    if (best) {
      const tier = best.tier ?? this.registry.tierOf(best.model);
      return this.decision(best.model, tier, `Cheapest model meeting ${pct(query.minSuccessRate ?? 0.8)} success: ${pct(best.successRate)} over ${best.calls} calls`, verdict, alternatives, true, best);
    }
    return this.decision(declaredModel, declared, `Not enough evidence yet (${verdict.sampleSize} calls): using the declared ${declared} tier`, verdict, alternatives, true);
  }

  private decision(
    model: string,
    tier: Tier | null,
    reason: string,
    verdict: TierUpgradeVerdict | null,
    alternatives: RouteDecision['alternatives'],
    adaptive: boolean,
    evidence?: Candidate,
  ): RouteDecision {
    const interval = evidence ? wilsonInterval(evidence.successes, evidence.calls, this.confidenceLevel) : null;
    return {
      model,
      tier,
      reason,
      explored: false,
      adaptive,
      successRate: evidence ? evidence.successRate : null,
      interval,
      sampleSize: evidence ? evidence.calls : verdict?.sampleSize ?? 0,
      upgrade: verdict,
      alternatives,
    };
  }

  /** Models seen for the stage, cheapest eligible first; ineligible ones say why. */
  private rankCandidates(query: BestModelQuery): Candidate[] {
    const minSuccessRate = query.minSuccessRate ?? 0.8;
    const scope = this.scope(query.workflow, query.stage, this.days);
    const candidates: Candidate[] = this.store.aggregateByModel(scope).map((a) => {
      const avgCost = this.averageCost(a);
      const successRate = a.successes / a.calls;
      const avgLatencyMs = a.latencyKnown ? a.latencySum / a.latencyKnown : null;
      let excludedBy: string | undefined;
      if (a.calls < this.minSampleSize) excludedBy = `insufficient data (n=${a.calls})`;
      else if (successRate < minSuccessRate) excludedBy = `success ${pct(successRate)} < ${pct(minSuccessRate)}`;
      else if (query.maxCost != null && (avgCost == null || avgCost > query.maxCost)) excludedBy = `cost ${avgCost == null ? 'unknown' : money(avgCost)} > ${money(query.maxCost)}`;
      else if (query.maxLatencyMs != null && (avgLatencyMs == null || avgLatencyMs > query.maxLatencyMs)) excludedBy = `latency ${avgLatencyMs == null ? 'unknown' : Math.round(avgLatencyMs) + 'ms'} > ${query.maxLatencyMs}ms`;
      return { model: a.model, tier: a.tier ?? this.registry.tierOf(a.model), calls: a.calls, successes: a.successes, successRate, avgCost, excludedBy };
    });
    return candidates.sort(
      (x, y) => Number(!!x.excludedBy) - Number(!!y.excludedBy) || (x.avgCost ?? Infinity) - (y.avgCost ?? Infinity) || y.successRate - x.successRate || x.model.localeCompare(y.model),
    );
  }

  /** Known telemetry cost, else registry prices on the average token counts. */
  private averageCost(a: ModelAggregate): number | null {
    if (a.costKnown > 0) return a.costSum / a.costKnown;
    if (a.inputTokens === 0 && a.outputTokens === 0) return null;
    return this.registry.estimateCost(a.model, a.inputTokens / a.calls, a.outputTokens / a.calls);
  }

  private scope(workflow: string, stage: string | undefined, days: number): CallScope {
    if (typeof workflow !== 'string' || workflow.trim() === '') throw new Error('workflow is required');
    const since = days > 0 && Number.isFinite(days) ? this.now().getTime() - days * DAY_MS : 0;
    return { workflow, stage: stage === undefined || stage === 'all' ? undefined : stage, since };
  }
}

interface Candidate {
  model: string;
  tier: Tier | null;
  calls: number;
  successes: number;
  successRate: number;
  avgCost: number | null;
  excludedBy?: string;
}

function checkRange(name: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a number between ${min} and ${max}, got ${String(value)}`);
  }
  return value;
}

export function pct(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

export function money(usd: number | null | undefined): string {
  return usd == null ? '—' : `$${usd.toFixed(4)}`;
}
