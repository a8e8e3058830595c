import { binomialUpperTail, decayWeight, Interval, wilsonInterval } from '../stats/statistics';
import { ArmPosterior, DRAWS, JointDraws, ORDER_PRIOR, summarizeJointly } from './tierOrder';
import type { StageCall } from '../store/telemetryStore';
import { Tier, tierRank } from '../tiers';

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
  /** Largest share of calls spent on pricier models than the best guess (from the stage's first call on). */
  explorationBudget: number;
  /** Most pseudo-calls the shrinkage prior from the tier's record on other stages may weigh. */
  priorStrength: number;
  /** Most pseudo-calls the prior from a better-measured model of this stage and the tier gap may weigh. */
  gapPriorStrength: number;
  /**
   * A model stays the best guess until the evidence makes it unlikely to meet the target: its
   * posterior probability of meeting it falls below this. Cheap models are given their chance
   * first, and leave as soon as they are shown short. Default (null): 1 - target, the chance a
   * model nobody has tried has under a uniform prior, so "not yet shown short" means the same at
   * every target.
   */
  plausibility: number | null;
  /** Prior probability that, at a stage, a pricier tier does at least as well as a cheaper one (see tierOrder.ts). */
  orderPrior: number;
  /**
   * Calls of a model's own (decayed) evidence at which the bar to stay the best guess is halfway
   * from `plausibility` to 0.5; 0 keeps the bar at `plausibility`.
   */
  settleCalls: number;
  /**
   * Where no model is likely to meet the target, success is traded for price at most this close to
   * the best: the best guess is the cheapest model more likely than not within this many points (as
   * a fraction) of the likeliest best model, the band narrowed to how far that model falls short of
   * the target (2 points at least). 0 keeps the most successful model.
   */
  outOfReachBand: number;
  /**
   * How far above the target asked for the learner aims (route() adds it where there is room): a
   * learner aiming at the target itself settles about as often on a model a point or two short of
   * it as on one just above.
   */
  targetMargin: number;
}

export const DEFAULT_POLICY: Omit<PolicySettings, 'target'> = {
  halfLife: 500,
  changeAlpha: 1e-4,
  explorationBudget: 0.1,
  priorStrength: 4,
  gapPriorStrength: 20,
  plausibility: null,
  orderPrior: ORDER_PRIOR,
  settleCalls: 50,
  outOfReachBand: 0.05,
  targetMargin: 0.01,
};

/** The stage's realised record over the calls the learner weighs (decayed like the evidence). */
export interface StageRecord {
  successes: number;
  calls: number;
}

/** The stage's decayed successes and calls, newest first: what its error budget is read from. */
export function stageRecord(history: StageCall[], halfLife: number): StageRecord {
  const weights = weightTable(halfLife, history.length);
  let successes = 0;
  let calls = 0;
  for (let age = 0; age < history.length; age++) {
    calls += weights[age];
    if (history[age].success) successes += weights[age];
  }
  return { successes, calls };
}

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

/** Whether two lists of arms say the same in every field (what an assessment of them depends on). */
export function sameArms(a: ArmState[], b: ArmState[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as unknown as Record<string, unknown>;
    const y = b[i] as unknown as Record<string, unknown>;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const key of keys) if (!Object.is(x[key], y[key])) return false;
  }
  return true;
}

export interface ArmSummary extends ArmState {
  mean: number;
  interval: Interval;
  /** Posterior probability that the success rate meets the target. */
  chance: number;
  /** Posterior probability that it is the most successful model of the stage. */
  best: number;
}

/** What one pass over a stage's history yields per model (evidence plus what the router needs besides). */
export interface ModelEvidence extends Omit<ArmState, 'priorAlpha' | 'priorBeta' | 'expectedCost'> {
  /** Mean known cost per call at this stage, or null. */
  avgCost: number | null;
}

/** How far back (calls of one model) the change test looks. */
const CHANGE_HORIZON = 220;

/** The change test's outcomes and ages, per model in order of appearance (see evidenceFromHistory). */
const changeBuffers: Array<{ outcomes: Uint8Array; ages: Int32Array }> = [];

/** One model's running sums in the pass over a stage's history. */
interface Accumulator {
  tier: StageCall['tier'];
  calls: number;
  successes: number;
  failures: number;
  /** Outcomes (1 success) and ages of the model's newest CHANGE_HORIZON calls, for the change test. */
  outcomes: Uint8Array;
  ages: Int32Array;
  latencySum: number;
  latencyCount: number;
  costSum: number;
  costCount: number;
}

/**
 * Evidence per model from a stage's calls, newest first, in one pass. This runs on every decision:
 * it keeps running sums and the few outcomes the change test needs, not a copy of each model's
 * history (the copies were most of what a decision allocated, and so of its garbage collections).
 */
export function evidenceFromHistory(history: StageCall[], settings: Pick<PolicySettings, 'halfLife' | 'changeAlpha'>): Map<string, ModelEvidence> {
  const weights = weightTable(settings.halfLife, history.length);
  const acc = new Map<string, Accumulator>();
  for (let age = 0; age < history.length; age++) {
    const call = history[age];
    let a = acc.get(call.model);
    if (!a) {
      // Only this pass reads them (up to the model's calls), so they are reused from pass to pass.
      const buffers = (changeBuffers[acc.size] ??= { outcomes: new Uint8Array(CHANGE_HORIZON), ages: new Int32Array(CHANGE_HORIZON) });
      const { outcomes, ages } = buffers;
      a = { tier: call.tier, calls: 0, successes: 0, failures: 0, outcomes, ages, latencySum: 0, latencyCount: 0, costSum: 0, costCount: 0 };
      acc.set(call.model, a);
    }
    if (a.calls < CHANGE_HORIZON) {
      a.outcomes[a.calls] = call.success ? 1 : 0;
      a.ages[a.calls] = age;
    }
    a.calls++;
    if (call.success) a.successes += weights[age];
    else a.failures += weights[age];
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
    const change = detectChange(a.outcomes.subarray(0, Math.min(a.calls, CHANGE_HORIZON)), settings.changeAlpha);
    let { successes, failures } = a;
    if (change) {
      // A model that just changed has shown it is volatile: what is left of its evidence fades twice
      // as fast, so a provider that was left after degrading is tried again after a while (and a
      // recovery is noticed), while one that stays degraded is not retried often.
      const fading = weightTable(settings.halfLife / 2, history.length, 1);
      successes = failures = 0;
      for (let i = 0; i < change.recent; i++) {
        if (a.outcomes[i]) successes += fading[a.ages[i]];
        else failures += fading[a.ages[i]];
      }
    }
    result.set(model, {
      model,
      tier: a.tier,
      successes,
      failures,
      calls: change ? change.recent : a.calls,
      avgLatencyMs: a.latencyCount ? a.latencySum / a.latencyCount : null,
      avgCost: a.costCount ? a.costSum / a.costCount : null,
      changed: change?.direction ?? null,
    });
  }
  return result;
}

const failuresBefore = new Int32Array(CHANGE_HORIZON + 1);

/**
 * Change test on one model's outcomes (newest first, true or 1 for a success): do its last w calls
 * (5 <= w <= 20) differ from its earlier ones more than chance allows at `alpha`? Returns the most
 * significant cut. Looks at the newest CHANGE_HORIZON outcomes.
 */
export function detectChange(outcomes: ArrayLike<boolean | number>, alpha: number): { recent: number; direction: 'degraded' | 'recovered' } | undefined {
  const horizon = Math.min(outcomes.length, CHANGE_HORIZON);
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

const weightCaches: Array<{ halfLife: number; weights: Float64Array } | undefined> = [];

/** Empties the decay-weight tables (for tests, like clearJointCaches). */
export function clearWeightTables(): void {
  weightCaches.length = 0;
}

/** decayWeight for ages 0..length-1, computed once per half-life (it is on every decision's path). */
function weightTable(halfLife: number, length: number, slot = 0): Float64Array {
  const cached = weightCaches[slot];
  if (cached && cached.halfLife === halfLife && cached.weights.length >= length) return cached.weights;
  const weights = new Float64Array(Math.max(length, 1024));
  for (let age = 0; age < weights.length; age++) weights[age] = decayWeight(age, halfLife);
  weightCaches[slot] = { halfLife, weights };
  return weights;
}

export interface PolicyChoice {
  arm: ArmSummary;
  greedy: ArmSummary;
  /** Every arm, cheapest first, with the posterior behind the choice. */
  summaries: ArmSummary[];
  explored: boolean;
  outOfReach: boolean;
  /** Out of reach: how far under the likeliest best model a cheaper one may be settled on (0 or absent otherwise). */
  band?: number;
  /** With a band: the likeliest best model, the one the band is measured from. */
  bandLeader?: ArmSummary;
  /** No model satisfied the hard limits, so they were set aside. */
  limitsRelaxed: boolean;
}

/**
 * What a choice works out before any exploration draw: a function of the arms, the settings and the
 * stage's record alone, so a caller may keep it while those are unchanged and only draw again
 * (route() does, between two calls of a stage).
 */
export interface ArmAssessment {
  settings: PolicySettings;
  stage: StageRecord;
  /** Every arm, cheapest first, with the posterior behind the choice. */
  all: ArmSummary[];
  /** Thompson's draws (only these: an assessment kept per stage keeps nothing else of the summary). */
  joint: JointDraws;
  /** The arms a choice may fall on: those within the hard limits, or all when none is. */
  pool: number[];
  limitsRelaxed: boolean;
  greedyIndex: number;
  outOfReach: boolean;
  /** Out of reach: how far under the best model a cheaper one may be taken (0 otherwise). */
  band: number;
  /** With a band: the index of the likeliest best model, the one the band is measured from. */
  leader?: number;
  /** The share of Thompson's picks that the exploration budget caps, once a pick has needed it. */
  cappedShare?: number;
}

/**
 * Thompson sampling for the cheapest model whose sampled success rate meets the target; when none
 * does, the model with the highest sample (the most successful, as far as we know). The arms are
 * judged jointly under a soft belief in tier order (see tierOrder.ts). Tries of cheaper models than
 * the best guess spend the stage's error budget; tries of pricier ones are capped by the
 * exploration budget. Without `explore`, the best guess: what the UI shows as the recommended model.
 */
export function chooseArm(
  arms: ArmState[],
  settings: PolicySettings,
  random: () => number,
  explore = true,
  stage: StageRecord = { successes: 0, calls: 0 },
): PolicyChoice {
  return pickArm(assessArms(arms, settings, stage), random, explore);
}

/** The part of chooseArm that does not draw: the arms' posteriors, the best guess, whether the target is out of reach. */
export function assessArms(arms: ArmState[], settings: PolicySettings, stage: StageRecord = { successes: 0, calls: 0 }): ArmAssessment {
  // Costs are compared where every model has one; otherwise tiers order them (cheap < capable < premium).
  const comparable = arms.every((a) => a.expectedCost != null);
  const order = comparable ? byCost : byTierThenCost;
  const sorted = [...arms].sort(order);
  const posteriors = sorted.map(posteriorOf);
  const joint = summarizeJointly(posteriors, settings.target, settings.orderPrior);
  // Object.assign onto a fresh literal, not a spread: spreading an arm with a few more keys built a
  // dictionary-mode object per arm per decision (most of a decision's garbage).
  const all: ArmSummary[] = sorted.map((arm, i) =>
    Object.assign(
      { mean: joint.mean[i], chance: joint.chance[i], best: joint.best[i], interval: wilsonInterval(arm.successes, arm.successes + arm.failures, 0.9) },
      arm,
    ),
  );
  const allowedIndices = all.map((a, i) => (a.excludedBy ? -1 : i)).filter((i) => i >= 0);
  const limitsRelaxed = allowedIndices.length === 0;
  const pool = limitsRelaxed ? all.map((_, i) => i) : allowedIndices;
  // Best guess: the cheapest model that plausibly meets the target (not yet shown short), or, once
  // the stage has fallen behind its target, one more likely than not to meet it. When none does, the
  // one that plausibly reaches the highest target. Each model's ceiling (the highest target it
  // plausibly meets) does not depend on the target asked for, so a higher target can never pick a
  // cheaper model.
  // "Not yet shown short" is the bar for a model with little evidence of its own; as its calls
  // here grow, the bar moves toward "more likely than not to meet the target" (halfway after
  // `settleCalls`), so a well-measured model a little under the target stops being the best guess.
  const needed = (target: number, evidence: number) => {
    let plausible = settings.plausibility ?? 1 - target;
    if (settings.settleCalls > 0 && plausible < 0.5) plausible += (0.5 - plausible) * (evidence / (evidence + settings.settleCalls));
    return stage.successes < target * stage.calls ? Math.max(plausible, 0.5) : plausible;
  };
  const ceilings = new Map<number, number>();
  const margin = (i: number) => (t: number) => joint.chanceAt(i, t) - needed(t, all[i].successes + all[i].failures);
  const ceiling = (i: number) => ceilings.get(i) ?? ceilings.set(i, plausibleCeiling(margin(i))).get(i)!;
  const qualifying = pool.find((i) => (ceilings.has(i) ? ceilings.get(i)! >= settings.target : ceilingReaches(margin(i), settings.target)));
  let greedyIndex = qualifying ?? maxBy(pool, ceiling);
  // Out of reach: not even the fallback is as likely to meet the target as an untried model.
  const outOfReach = qualifying === undefined && all[greedyIndex].chance < (settings.plausibility ?? 1 - settings.target);
  let band = 0;
  let leader: number | undefined;
  if (outOfReach && settings.outOfReachBand > 0) {
    const best = maxBy(pool, (i) => all[i].mean);
    leader = best;
    // A stage barely out of reach stays close to its best model: the band is never wider than how
    // far the best falls short of the target (at least 2 points), up to outOfReachBand.
    band = Math.min(settings.outOfReachBand, Math.max(MIN_BAND, settings.target - all[best].mean));
    // Among many models the best one is often far pricier than one a point or two behind it: the
    // best guess is the cheapest model more likely than not within the band of the best, judged on
    // the joint draws (the largest of several posterior means overstates the best).
    const withinBand = (i: number) => joint.draws.probability((draw) => draw[i] >= draw[best] - band);
    // Only on evidence of its own at the stage: a model hardly tried is for exploring, not settling on.
    greedyIndex = pool.find((i) => i <= greedyIndex && measured(all[i]) && withinBand(i) >= 0.5) ?? greedyIndex;
  }
  return { settings, stage, all, joint: joint.draws, pool, limitsRelaxed, greedyIndex, outOfReach, band, leader };
}

/**
 * The choice from an assessment: the best guess, or with `explore` a Thompson draw within the budgets.
 * `noPricier` (a spend budget near its limit) keeps draws from trying pricier models than the best guess.
 */
export function pickArm(assessment: ArmAssessment, random: () => number, explore = true, noPricier = false): PolicyChoice {
  const { settings, stage, all, joint, pool, limitsRelaxed, greedyIndex, outOfReach, band, leader } = assessment;
  const greedy = all[greedyIndex];
  let index = greedyIndex;
  const thompsonPick = (draw: Float64Array) => (band > 0 ? cheapestWithinBand(pool, draw, band) : cheapestMeeting(pool, draw, settings.target));
  if (explore) {
    const pick = (source: () => number) => thompsonPick(joint.sample(source));
    index = pick(random);
    // Trying a cheaper model spends the stage's error budget: only while one more failure would
    // still leave the stage's realised success at or above its target. (Where no model is likely
    // to meet the target there is no budget to keep, and trying others is how a better one is found.)
    if (index < greedyIndex && !outOfReach && stage.successes < settings.target * (stage.calls + 1)) index = greedyIndex;
    // Trying a pricier one than the best guess is what the exploration budget caps: follow Thompson
    // upward only in the proportion that keeps such tries within budget (their share read exactly off
    // the draws Thompson samples from). Where the target is out of reach, tries of cheaper models (which cost success, not
    // money) are capped the same way: among many models, uncapped tries would cost more success
    // than the best model's lead.
    // With a band, a cheaper model is tried freely until there is enough evidence to judge it
    // against the band (BAND_EVIDENCE), then within the budget like the rest.
    const capped = (i: number) => i > greedyIndex || (outOfReach && i < greedyIndex && (band === 0 || measured(all[i])));
    if (noPricier && index > greedyIndex) index = greedyIndex;
    else if (capped(index)) {
      const away = (assessment.cappedShare ??= joint.probability((draw) => capped(thompsonPick(draw))));
      if (random() >= Math.min(1, settings.explorationBudget / Math.max(away, 1 / DRAWS))) index = greedyIndex;
    }
  }
  const arm = all[index];
  const bandLeader = leader === undefined ? undefined : all[leader];
  return { arm, greedy, summaries: all, explored: index !== greedyIndex, outOfReach, band, bandLeader, limitsRelaxed };
}

/**
 * The highest target at which `margin` (a model's chance of meeting the target less the chance it
 * needs) is still >= 0, by bisection: a number per model, whatever target is asked for. A model
 * nobody has tried has margin 0 everywhere (chance 1 - target under a uniform prior) and so a
 * ceiling of about 1: it stays plausible until evidence says otherwise.
 */
export function plausibleCeiling(margin: (target: number) => number): number {
  return bisect(margin, () => false).low;
}

/** plausibleCeiling(margin) >= target, found in fewer steps: the bisection stops once the answer is known. */
export function ceilingReaches(margin: (target: number) => number, target: number): boolean {
  return bisect(margin, (low, high) => low >= target || high <= target).low >= target;
}

function bisect(margin: (target: number) => number, settled: (low: number, high: number) => boolean): { low: number; high: number } {
  let low = 0;
  let high = 1;
  for (let step = 0; step < 14 && !settled(low, high); step++) {
    const mid = (low + high) / 2;
    if (margin(mid) >= -1e-9) low = mid;
    else high = mid;
  }
  return { low, high };
}

function posteriorOf(arm: ArmState): ArmPosterior {
  return {
    alpha: arm.priorAlpha + arm.successes,
    beta: arm.priorBeta + arm.failures,
    priorAlpha: arm.priorAlpha,
    priorBeta: arm.priorBeta,
    rank: tierRank(arm.tier),
  };
}

/** The narrowest out-of-reach band: how far under the best a stage barely out of reach may settle. */
const MIN_BAND = 0.02;

/** Calls (decayed) of a model's own at a stage before an out-of-reach stage may settle on it for being within the band. */
const BAND_EVIDENCE = 20;

/** Whether an arm has enough evidence of its own at the stage to be judged against the band. */
function measured(arm: ArmSummary): boolean {
  return arm.successes + arm.failures >= BAND_EVIDENCE;
}

/** The cheapest arm whose draw is within `band` of the highest draw (pool is cheapest first). */
function cheapestWithinBand(pool: number[], draw: Float64Array, band: number): number {
  const top = highest(pool, draw);
  for (const i of pool) if (draw[i] >= top - band) return i;
  return pool[0];
}

function highest(pool: number[], draw: Float64Array): number {
  let top = -Infinity;
  for (const i of pool) if (draw[i] > top) top = draw[i];
  return top;
}

/** Thompson's choice for one joint draw: the cheapest arm whose draw meets the target, else the highest draw. */
function cheapestMeeting(pool: number[], draw: Float64Array, target: number): number {
  let best = pool[0];
  for (const i of pool) {
    if (draw[i] >= target) return i; // pool is cheapest first
    if (draw[i] > draw[best]) best = i;
  }
  return best;
}

function byCost(a: ArmState, b: ArmState): number {
  const ca = a.expectedCost ?? Infinity;
  const cb = b.expectedCost ?? Infinity;
  if (ca !== cb) return ca - cb;
  return tierRank(a.tier) - tierRank(b.tier) || a.model.localeCompare(b.model);
}

function byTierThenCost(a: ArmState, b: ArmState): number {
  return tierRank(a.tier) - tierRank(b.tier) || byCost(a, b);
}

function maxBy<T>(items: T[], score: (item: T) => number): T {
  return items.reduce((best, item) => (score(item) > score(best) ? item : best));
}
