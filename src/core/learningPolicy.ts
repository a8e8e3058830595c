import { binomialUpperTail, decayWeight, Interval, regularizedBeta, sampleBeta, wilsonInterval } from './statistics';
import type { StageCall } from './telemetryStore';
import type { Tier } from './tiers';

/**
 * The per-stage learner behind `route()`: Beta posteriors of each model's success rate from the
 * stage's recent calls (older calls weigh less, and a detected change cuts old evidence off),
 * shrunk toward the tier's record on the workflow's other stages, then Thompson sampling for the
 * cheapest model that meets the target. Pure functions: the router feeds them telemetry.
 */

export interface PolicySettings {
  /** Success-rate target of the stage. */
  target: number;
  /** Evidence halves every this many calls of the stage (not of the model), so idle models are retried. */
  halfLife: number;
  /** Significance of the change test on a model's most recent calls. */
  changeAlpha: number;
  /** Largest share of calls spent on pricier models than the greedy choice once the stage has `minSample` calls. */
  explorationBudget: number;
  /** Most pseudo-calls the shrinkage prior from the tier's record on other stages may weigh. */
  priorStrength: number;
  /**
   * A model stays the best guess until the evidence makes it unlikely to meet the target: its
   * posterior probability of meeting it falls below this. Cheap models are given their chance
   * first, and leave as soon as they are shown short.
   */
  plausibility: number;
}

export const DEFAULT_POLICY: Omit<PolicySettings, 'target' | 'minSample'> = {
  halfLife: 500,
  changeAlpha: 1e-4,
  explorationBudget: 0.1,
  priorStrength: 4,
  plausibility: 0.2,
};

/** What the learner knows about one model at one stage. */
export interface ArmState {
  model: string;
  tier: Tier | null;
  /** Decayed successes and failures (after any change cut). */
  successes: number;
  failures: number;
  /** Raw calls behind the evidence. */
  calls: number;
  /** Prior pseudo-counts from the workflow's other stages. */
  priorAlpha: number;
  priorBeta: number;
  /** Expected USD per call; null when unknown. */
  expectedCost: number | null;
  avgLatencyMs: number | null;
  /** The model's recent calls look different from its older ones (degraded or recovered). */
  changed: 'degraded' | 'recovered' | null;
  /** Why a hard limit rules it out, if one does. */
  excludedBy?: string;
}

export interface ArmSummary extends ArmState {
  mean: number;
  interval: Interval;
  /** Posterior probability that the success rate meets the target. */
  chance: number;
}

/** What one pass over a stage's history yields per model (evidence plus what the router needs besides). */
export interface ModelEvidence extends Omit<ArmState, 'priorAlpha' | 'priorBeta' | 'expectedCost'> {
  /** Mean known cost per call at this stage, or null. */
  avgCost: number | null;
}

/** Evidence per model from a stage's calls, newest first, in one pass (this runs on every decision). */
export function evidenceFromHistory(history: StageCall[], settings: Pick<PolicySettings, 'halfLife' | 'changeAlpha'>): Map<string, ModelEvidence> {
  const weights = weightTable(settings.halfLife, history.length);
  const acc = new Map<string, { tier: StageCall['tier']; outcomes: boolean[]; ages: number[]; latencySum: number; latencyCount: number; costSum: number; costCount: number }>();
  for (let age = 0; age < history.length; age++) {
    const call = history[age];
    let a = acc.get(call.model);
    if (!a) acc.set(call.model, (a = { tier: call.tier, outcomes: [], ages: [], latencySum: 0, latencyCount: 0, costSum: 0, costCount: 0 }));
    a.outcomes.push(call.success);
    a.ages.push(age);
    if (call.durationMs != null) {
      a.latencySum += call.durationMs;
      a.latencyCount++;
    }
    if (call.cost != null) {
      a.costSum += call.cost;
      a.costCount++;
    }
  }
  const result = new Map<string, ModelEvidence>();
  for (const [model, a] of acc) {
    const change = detectChange(a.outcomes, settings.changeAlpha);
    const kept = change ? change.recent : a.outcomes.length;
    let successes = 0;
    let failures = 0;
    for (let i = 0; i < kept; i++) {
      if (a.outcomes[i]) successes += weights[a.ages[i]];
      else failures += weights[a.ages[i]];
    }
    result.set(model, {
      model,
      tier: a.tier,
      successes,
      failures,
      calls: kept,
      avgLatencyMs: a.latencyCount ? a.latencySum / a.latencyCount : null,
      avgCost: a.costCount ? a.costSum / a.costCount : null,
      changed: change?.direction ?? null,
    });
  }
  return result;
}

/**
 * Change test on one model's outcomes (newest first): do its last w calls (5 <= w <= 20) differ
 * from its earlier ones more than chance allows at `alpha`? Returns the most significant cut.
 */
export function detectChange(outcomes: boolean[], alpha: number): { recent: number; direction: 'degraded' | 'recovered' } | undefined {
  const horizon = Math.min(outcomes.length, 220);
  const failuresBefore = new Array<number>(horizon + 1);
  failuresBefore[0] = 0;
  for (let i = 0; i < horizon; i++) failuresBefore[i + 1] = failuresBefore[i] + (outcomes[i] ? 0 : 1);
  let best: { recent: number; direction: 'degraded' | 'recovered'; p: number } | undefined;
  for (let w = 5; w <= Math.min(20, horizon - 10); w++) {
    const recentFailures = failuresBefore[w];
    const end = Math.min(horizon, w + 200);
    const olderFailureRate = (failuresBefore[end] - failuresBefore[w] + 0.5) / (end - w + 1);
    const worse = binomialUpperTail(recentFailures, w, olderFailureRate);
    const better = binomialUpperTail(w - recentFailures, w, 1 - olderFailureRate);
    const p = Math.min(worse, better);
    if (p < alpha && (!best || p < best.p)) best = { recent: w, direction: worse < better ? 'degraded' : 'recovered', p };
  }
  return best && { recent: best.recent, direction: best.direction };
}

let weightCache: { halfLife: number; weights: Float64Array } | undefined;

/** decayWeight for ages 0..length-1, computed once per half-life (it is on every decision's path). */
function weightTable(halfLife: number, length: number): Float64Array {
  if (!weightCache || weightCache.halfLife !== halfLife || weightCache.weights.length < length) {
    const weights = new Float64Array(Math.max(length, 1024));
    for (let age = 0; age < weights.length; age++) weights[age] = decayWeight(age, halfLife);
    weightCache = { halfLife, weights };
  }
  return weightCache.weights;
}

export function summarize(arm: ArmState, target: number): ArmSummary {
  const alpha = arm.priorAlpha + arm.successes;
  const beta = arm.priorBeta + arm.failures;
  return {
    ...arm,
    mean: alpha / (alpha + beta),
    interval: wilsonInterval(arm.successes, arm.successes + arm.failures, 0.9),
    chance: 1 - regularizedBeta(target, alpha, beta),
  };
}

export interface PolicyChoice {
  arm: ArmSummary;
  greedy: ArmSummary;
  explored: boolean;
  outOfReach: boolean;
  /** No model satisfied the hard limits, so they were set aside. */
  limitsRelaxed: boolean;
}

/**
 * Cheapest model whose sampled success rate meets the target; when none does, the model with the
 * highest sample (the most successful, as far as we know). Exploration away from the greedy choice
 * to pricier models is capped by the budget. Without `explore`, the greedy choice:
 * what the UI shows as the recommended model.
 */
export function chooseArm(arms: ArmState[], settings: PolicySettings, random: () => number, explore = true): PolicyChoice {
  // Costs are compared where every model has one; otherwise tiers order them (cheap < capable < premium).
  const comparable = arms.every((a) => a.expectedCost != null);
  const order = comparable ? byCost : byTierThenCost;
  const all = arms.map((arm) => summarize(arm, settings.target)).sort(order);
  const allowed = all.filter((a) => !a.excludedBy);
  const limitsRelaxed = allowed.length === 0;
  const pool = limitsRelaxed ? all : allowed;
  // Best guess: the cheapest model that plausibly meets the target (not yet shown short); else the
  // cheapest one not tried here; else the most successful.
  const greedy = pool.find((a) => a.chance >= settings.plausibility) ?? pool.find((a) => a.calls === 0) ?? maxBy(pool, (a) => a.mean);
  const sampled = explore ? thompson(pool, settings.target, random) : greedy;
  let arm = sampled;
  // Trying a cheaper model costs little and can save a lot: Thompson's own rate limits it. Trying a
  // pricier one than the best guess is what the budget caps.
  if (sampled !== greedy && order(sampled, greedy) > 0) {
    // Estimate how often Thompson leaves the greedy choice upward here, and follow it only within budget.
    let away = 1; // the draw that got us here
    const draws = 63;
    for (let i = 0; i < draws; i++) {
      const draw = thompson(pool, settings.target, random);
      if (draw !== greedy && order(draw, greedy) > 0) away++;
    }
    const exploreShare = away / (draws + 1);
    if (random() >= Math.min(1, settings.explorationBudget / exploreShare)) arm = greedy;
  }
  return { arm, greedy, explored: arm !== greedy, outOfReach: greedy.chance < settings.plausibility, limitsRelaxed };
}

function thompson(pool: ArmSummary[], target: number, random: () => number): ArmSummary {
  let best: ArmSummary | undefined;
  let bestDraw = -1;
  for (const arm of pool) {
    const draw = sampleBeta(arm.priorAlpha + arm.successes, arm.priorBeta + arm.failures, random);
    if (draw >= target) return arm; // pool is cheapest first
    if (draw > bestDraw) {
      bestDraw = draw;
      best = arm;
    }
  }
  return best as ArmSummary;
}

function byCost(a: ArmSummary, b: ArmSummary): number {
  const ca = a.expectedCost ?? Infinity;
  const cb = b.expectedCost ?? Infinity;
  if (ca !== cb) return ca - cb;
  return tierRank(a.tier) - tierRank(b.tier) || a.model.localeCompare(b.model);
}

function byTierThenCost(a: ArmSummary, b: ArmSummary): number {
  return tierRank(a.tier) - tierRank(b.tier) || byCost(a, b);
}

function tierRank(tier: Tier | null): number {
  return tier === 'cheap' ? 0 : tier === 'capable' ? 1 : tier === 'premium' ? 2 : 3;
}

function maxBy<T>(items: T[], score: (item: T) => number): T {
  return items.reduce((best, item) => (score(item) > score(best) ? item : best));
}
