import type { StageOverview } from './overview';
import { Spend, addSpend, NO_SPEND, spendTotal } from './spend';
import { dollarRange, dollars, money, shortPct } from '../format';
import { normalQuantile } from './statistics';
import { Tier, tierIndex } from '../tiers';

/** What a stage would save per week on its recommended model (negative: what reaching the target costs). */
export interface SavingsEstimate {
  workflow: string;
  stage: string;
  /** The recommended model, and the target it meets with confidence. */
  model: string;
  target: number;
  /** 'save' when the recommended model is cheaper per call than what the stage runs now, else 'spend'. */
  direction: 'save' | 'spend';
  /** USD per week: the stage's spend at its current pace, and what the same calls would cost on the model. */
  spentPerWeek: number;
  wouldSpendPerWeek: number;
  /** spentPerWeek - wouldSpendPerWeek, with its 90% interval. */
  perWeek: number;
  low: number;
  high: number;
  /** USD per successful call now and on the recommended model. */
  perSuccess: { now: number | null; recommended: number | null };
}

/** A stage's savings estimate, or why there is none (never a bare number from a handful of calls). */
export type StageSavings =
  { workflow: string; stage: string; estimate: SavingsEstimate; why?: undefined } | { workflow: string; stage: string; estimate?: undefined; why: string };

export interface SavingsOptions {
  /** Days of the range the stage's calls cover (0, all time, cannot be projected per week). */
  days: number;
  /** Calls the recommended model needs at the stage, and calls the stage needs with a known cost. */
  minSampleSize: number;
  /** Posterior probability of meeting the target the recommended model needs (default 0.95). */
  confidence?: number;
  /** Another model of the recommendation's alternatives to price the stage on (a confident downgrade's). */
  model?: string;
}

/** Estimated costs carry no spread of their own: their per-call spread is taken as large as their mean. */
const ASSUMED_VARIATION = 1;
const Z90 = normalQuantile(0.95);

/**
 * What the stage spent in the range against what the same calls would have cost on the model the
 * router recommends (that model's own cost per call at this stage), as USD per week at the range's
 * pace, with a 90% interval from the spread of both costs per call and of the number of calls.
 * Given only where the recommended model meets the stage's target with confidence, on enough calls.
 */
export function stageSavings(stage: StageOverview, options: SavingsOptions): StageSavings {
  const { workflow } = stage;
  const none = (why: string): StageSavings => ({ workflow, stage: stage.stage, why });
  const r = stage.recommendation;
  if (!r) return none('the recommendation is not worked out yet');
  if (!(options.days > 0)) return none('choose a time range of days to project spend per week');
  if (r.fallback || !r.adaptive) return none('no evidence behind the recommendation yet');
  if (r.verdict === 'out-of-reach') return none(`no model reaches the ${shortPct(r.target)} target here`);
  const chosen = options.model ?? r.model;
  const model = stage.models.find((m) => m.model === chosen);
  const alternative = r.decision.alternatives.find((a) => a.model === chosen);
  const confidence = options.confidence ?? 0.95;
  if (!model || model.calls < options.minSampleSize || !alternative || alternative.chanceOfTarget < confidence) {
    const has = `${model?.calls ?? 0} calls${alternative ? ` and a ${shortPct(alternative.chanceOfTarget)} chance` : ''}`;
    return none(
      `${chosen} needs ${options.minSampleSize}+ calls here and a ${shortPct(confidence)} chance of the ${shortPct(r.target)} target (it has ${has})`,
    );
  }
  if (stage.models.every((m) => m.model === chosen)) return none(`every call already runs on ${chosen}`);
  const now = perCall(stage.spend);
  const on = perCall(model.spend);
  if (!now || now.calls < options.minSampleSize) return none('too few calls here with a known cost');
  if (!on || on.calls < options.minSampleSize) return none(`too few calls of ${chosen} here with a known cost`);
  const weeks = options.days / 7;
  const callsPerWeek = stage.calls / weeks;
  const difference = now.mean - on.mean;
  // Delta method: the per-call means' variances, and the call count's (Poisson: variance = count).
  const variance = callsPerWeek ** 2 * (now.variance / now.calls + on.variance / on.calls) + difference ** 2 * (callsPerWeek ** 2 / stage.calls);
  const perWeek = callsPerWeek * difference;
  const half = Z90 * Math.sqrt(variance);
  const stageSuccess = stage.models.reduce((n, m) => n + m.successRate * m.calls, 0) / stage.calls;
  return {
    workflow,
    stage: stage.stage,
    estimate: {
      workflow,
      stage: stage.stage,
      model: chosen,
      target: r.target,
      direction: difference > 0 ? 'save' : 'spend',
      spentPerWeek: callsPerWeek * now.mean,
      wouldSpendPerWeek: callsPerWeek * on.mean,
      perWeek,
      low: perWeek - half,
      high: perWeek + half,
      perSuccess: { now: stageSuccess > 0 ? now.mean / stageSuccess : null, recommended: model.successRate > 0 ? on.mean / model.successRate : null },
    },
  };
}

/** Mean cost per call and its variance, from the calls whose cost is known (billed or estimated). */
function perCall(spend: Spend): { mean: number; variance: number; calls: number } | undefined {
  const total = spendTotal(spend);
  const calls = spend.reportedCalls + spend.estimatedCalls;
  if (total == null || calls === 0) return undefined;
  const mean = total / calls;
  // The billed costs' own spread where there are two or more; estimated ones count at the assumed variation.
  const billedVariance =
    spend.reportedCalls > 1 ? Math.max(0, (spend.reportedSqSum - spend.reported ** 2 / spend.reportedCalls) / (spend.reportedCalls - 1)) : null;
  const estimatedVariance = (ASSUMED_VARIATION * (spend.estimatedCalls ? spend.estimated / spend.estimatedCalls : mean)) ** 2;
  const variance =
    billedVariance == null
      ? estimatedVariance
      : (billedVariance * spend.reportedCalls + (spend.estimatedCalls ? estimatedVariance * spend.estimatedCalls : 0)) / calls;
  return { mean, variance, calls };
}

/** "could save ~$4.10 / week ($2.80–$5.30)", or "+$1.20 / week to reach 80.0%". */
export function savingsText(e: SavingsEstimate): string {
  return e.direction === 'save'
    ? `could save ~${dollars(e.perWeek)} / week (${dollarRange(e.low, e.high)}) on ${e.model}`
    : `+${dollars(-e.perWeek)} / week (${dollarRange(-e.high, -e.low)}) to reach ${shortPct(e.target)} on ${e.model}`;
}

/** "per success $0.0847 now, $0.0353 on claude-haiku-4-5", or undefined while either is unknown. */
export function perSuccessText(e: SavingsEstimate): string | undefined {
  const { now, recommended } = e.perSuccess;
  return now == null || recommended == null ? undefined : `per success ${money(now)} now, ${money(recommended)} on ${e.model}`;
}

/** The savings of the stages that would save, summed (their intervals as independent), for a summary line. */
export function totalSavings(estimates: SavingsEstimate[]): { perWeek: number; low: number; high: number; stages: number } {
  const saving = estimates.filter((e) => e.direction === 'save');
  const perWeek = saving.reduce((n, e) => n + e.perWeek, 0);
  const half = Math.sqrt(saving.reduce((n, e) => n + ((e.high - e.low) / 2) ** 2, 0));
  return { perWeek, low: perWeek - half, high: perWeek + half, stages: saving.length };
}

/** The savings of many stages at once: each stage's estimate or reason, their total, and what they spent. */
export function overviewSavings(
  stages: StageOverview[],
  options: SavingsOptions,
): { spend: Spend; stages: StageSavings[]; total: ReturnType<typeof totalSavings> } {
  const results = stages.map((s) => stageSavings(s, options));
  return {
    spend: stages.reduce((total, s) => addSpend(total, s.spend), NO_SPEND),
    stages: results,
    total: totalSavings(results.flatMap((r) => (r.estimate ? [r.estimate] : []))),
  };
}

/** The posterior chance of the target a cheaper model needs before a downgrade is suggested. */
export const DOWNGRADE_CONFIDENCE = 0.95;

/**
 * The cheapest tier below `declared` that meets the stage's target with confidence, if any: the
 * cheapest model of the recommendation's alternatives below `declared` (within the query's limits)
 * with a 95% posterior chance of the target on at least the minimum sample of its own calls at the
 * stage. It is the recommended model itself, or a pricier one of a tier still below `declared` where
 * the recommendation is a cheaper model not yet shown to meet the target with confidence. A stage
 * whose target no model reaches gets none.
 */
export function confidentDowngrade(
  stage: StageOverview,
  declared: Tier,
  minSampleSize: number,
): { model: string; tier: Tier; chance: number; calls: number } | undefined {
  const r = stage.recommendation;
  if (!r || !r.adaptive || r.fallback || r.verdict === 'out-of-reach' || !r.tier || tierIndex(r.tier) >= tierIndex(declared)) return undefined;
  for (const a of r.decision.alternatives) {
    if (a.excludedBy || !a.tier || tierIndex(a.tier) >= tierIndex(declared) || tierIndex(a.tier) < tierIndex(r.tier)) continue;
    const calls = stage.models.find((m) => m.model === a.model)?.calls ?? 0;
    if (a.chanceOfTarget >= DOWNGRADE_CONFIDENCE && calls >= minSampleSize) return { model: a.model, tier: a.tier, chance: a.chanceOfTarget, calls };
  }
  return undefined;
}
