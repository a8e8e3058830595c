import type { ModelEvidence } from './learningPolicy';
import type { ModelRegistry } from './registry';
import type { TelemetryStore } from '../store/telemetryStore';
import type { Tier } from '../tiers';
import { DAY_MS } from '../timeWindow';

/**
 * What a stage's arms borrow from the workflow's other stages before their own calls speak
 * (shrinkage). Two kinds, the stronger one wins per arm:
 * - absolute: the tier's success rate on the other stages;
 * - relative: this stage's measured rate of a well-tried model, plus how much the arm's tier and
 *   that model's tier differ on the other stages. Stages of one workflow often differ in how hard
 *   they are far more than tiers differ from each other, so the gap carries over where the level
 *   does not.
 * Both strengths come from how much the other stages agree (empirical Bayes).
 */

export interface BetaPrior {
  mean: number;
  /** Weight in pseudo-calls. */
  strength: number;
}

/** One stage's calls and successes of one tier (or model). */
export interface StageTierRecord {
  calls: number;
  successes: number;
}

/**
 * Beta prior (mean and strength in pseudo-calls) from other stages' records of one tier, by the
 * method of moments: strength = mean (1 - mean) / between-stage variance - 1, where the variance
 * has the binomial noise of each stage's own estimate taken out. Fewer than three stages with ten
 * calls give at most `maxStrength / 4`; the strength never exceeds `maxStrength`.
 */
export function empiricalBayesPrior(stages: StageTierRecord[], maxStrength: number): BetaPrior {
  const calls = stages.reduce((n, s) => n + s.calls, 0);
  if (calls === 0) return { mean: 0.5, strength: 0 };
  const mean = (stages.reduce((n, s) => n + s.successes, 0) + 1) / (calls + 2);
  // The spread between stages needs a few stages with some calls each to mean anything.
  const used = stages.filter((s) => s.calls >= 10);
  if (used.length < 3) return { mean, strength: Math.min(calls, maxStrength / 4) };
  const usedCalls = used.reduce((n, s) => n + s.calls, 0);
  let spread = 0;
  let noise = 0;
  for (const s of used) {
    const rate = s.successes / s.calls;
    spread += (s.calls / usedCalls) * (rate - mean) ** 2;
    noise += (s.calls / usedCalls) * ((mean * (1 - mean)) / s.calls);
  }
  const between = Math.max(spread - noise, 1e-6);
  return { mean, strength: Math.max(0, Math.min(maxStrength, (mean * (1 - mean)) / between - 1)) };
}

/** Fewest calls of both tiers at another stage for their gap there to count. */
const PAIR_MIN_CALLS = 5;

/** The gap between two tiers' success rates over the stages that tried both: mean and its spread. */
export interface TierGap {
  mean: number;
  /** Between-stage variance of the gap with binomial noise taken out, plus the mean's own uncertainty. */
  variance: number;
  stages: number;
}

/**
 * Mean gap `arm - reference` (two tiers, or two models) over the stages where both have at least a
 * few calls, and how far a new stage's gap may stray from it. Null with fewer than three such stages.
 */
export function tierGap<K>(stages: Iterable<Map<K, StageTierRecord>>, arm: K, reference: K): TierGap | null {
  const gaps: Array<{ gap: number; noise: number }> = [];
  for (const tiers of stages) {
    const a = tiers.get(arm);
    const r = tiers.get(reference);
    if (!a || !r || a.calls < PAIR_MIN_CALLS || r.calls < PAIR_MIN_CALLS) continue;
    // Rates with half a pseudo-call each way, so 0/n and n/n have some noise too.
    const ra = (a.successes + 0.5) / (a.calls + 1);
    const rr = (r.successes + 0.5) / (r.calls + 1);
    gaps.push({ gap: ra - rr, noise: (ra * (1 - ra)) / a.calls + (rr * (1 - rr)) / r.calls });
  }
  if (gaps.length < 3) return null;
  const mean = gaps.reduce((n, g) => n + g.gap, 0) / gaps.length;
  const spread = gaps.reduce((n, g) => n + (g.gap - mean) ** 2, 0) / (gaps.length - 1);
  const noise = gaps.reduce((n, g) => n + g.noise, 0) / gaps.length;
  // A floor on the between-stage part: a handful of stages that happen to agree is not certainty.
  const between = Math.max(spread - noise, 0.0025);
  return { mean, variance: between + spread / gaps.length, stages: gaps.length };
}

/**
 * Prior of an arm from a reference model's record at this stage and the gap between their tiers:
 * mean = reference rate + gap, strength from the gap's variance plus the reference rate's own.
 */
export function relativePrior(reference: { successes: number; failures: number }, gap: TierGap, maxStrength: number): BetaPrior {
  const n = reference.successes + reference.failures;
  const rate = (reference.successes + 0.5) / (n + 1);
  const mean = Math.min(0.98, Math.max(0.02, rate + gap.mean));
  const variance = gap.variance + (rate * (1 - rate)) / Math.max(n, 1);
  return { mean, strength: Math.max(0, Math.min(maxStrength, (mean * (1 - mean)) / variance - 1)) };
}

/** A model with its tier, as a stage's arm or as the reference another arm is measured against. */
export interface TieredModel {
  model: string;
  tier: Tier;
}

/**
 * A stage's view of the workflow's other stages: an arm's prior, and the gap between two arms. Both
 * are the model's own where the other stages tried it, else its tier's: a tier may hold models far
 * apart (a cheap model at 45% beside one at 65%), and pooling them misleads both.
 */
export interface StageBorrowing {
  absolute(arm: TieredModel): BetaPrior;
  gap(arm: TieredModel, reference: TieredModel): TierGap | null;
}

/**
 * The priors route() gives a stage's arms, from the workflow's other stages. The workflow's
 * per-stage records (whole days, from the daily counters) are read once and kept until the workflow
 * gained 2% more calls (or the window moved a day); what each stage borrows is worked out once per read.
 */
export class WorkflowPriors {
  private readonly workflows = new Map<
    string,
    { version: number; since: number; calls: number; rows: ReturnType<TelemetryStore['stageModelRecords']>; stages: Map<string, StageBorrowing> }
  >();

  constructor(
    private readonly store: TelemetryStore,
    private readonly registry: ModelRegistry,
    private readonly strengths: { priorStrength: number; gapPriorStrength: number },
  ) {}

  /**
   * Per arm, the stronger of two priors: its record on the workflow's other stages, or the stage's
   * best-measured model it has a gap to plus the gap the other stages show between the two (model
   * to model where the other stages tried both, else tier to tier). How much each weighs is
   * estimated from how much those stages agree (empirical Bayes).
   */
  forArms(
    workflow: string,
    stage: string,
    since: number,
    arms: Array<{ model: string; tier: Tier | null }>,
    evidence: Map<string, ModelEvidence>,
  ): Map<string, BetaPrior> {
    const borrowing = this.borrowing(workflow, stage, since);
    const weight = (model: string) => (evidence.get(model)?.successes ?? 0) + (evidence.get(model)?.failures ?? 0);
    const measured = arms
      .filter((a): a is { model: string; tier: Tier } => a.tier != null && weight(a.model) > 0)
      .sort((a, b) => weight(b.model) - weight(a.model));
    const priors = new Map<string, BetaPrior>();
    for (const { model, tier } of arms) {
      if (!tier) continue;
      const arm = { model, tier };
      let prior = borrowing.absolute(arm);
      const reference = measured.find((e) => e.model !== model && borrowing.gap(arm, e) != null);
      const gap = reference && borrowing.gap(arm, reference);
      if (reference && gap) {
        const relative = relativePrior(evidence.get(reference.model)!, gap, this.strengths.gapPriorStrength);
        if (relative.strength > prior.strength) prior = relative;
      }
      priors.set(model, prior);
    }
    return priors;
  }

  /**
   * What the stage borrows from its workflow's other stages: the same object for as long as the
   * workflow's records stand, so a caller may keep what it worked out from it (route() keeps arms).
   */
  borrowing(workflow: string, stage: string, windowStart: number): StageBorrowing {
    // Whole days, so the records come from the store's daily counters alone (a window starting
    // inside a day would read that day's calls: milliseconds on a large file, on a decision's path).
    // For a prior, the part of the first day before the window start is no loss.
    const since = windowStart > 0 ? Math.floor(windowStart / DAY_MS) * DAY_MS : windowStart;
    const version = this.store.workflowVersion(workflow);
    let cached = this.workflows.get(workflow);
    if (!cached || version - cached.version > Math.max(50, cached.calls * 0.02) || since !== cached.since) {
      const rows = this.store.stageModelRecords(workflow, since);
      cached = { version, since, calls: rows.reduce((n, r) => n + r.calls, 0), rows, stages: new Map() };
      this.workflows.set(workflow, cached);
    }
    let borrowing = cached.stages.get(stage);
    if (!borrowing) {
      // Per other stage, records by tier ("t:cheap") and by model ("m:gpt-4o-mini").
      const others = new Map<string, Map<string, StageTierRecord>>();
      const add = (records: Map<string, StageTierRecord>, key: string, row: { calls: number; successes: number }) => {
        const r = records.get(key) ?? { calls: 0, successes: 0 };
        records.set(key, { calls: r.calls + row.calls, successes: r.successes + row.successes });
      };
      for (const row of cached.rows) {
        const tier = row.tier ?? this.registry.tierOf(row.model);
        if (!tier || row.stage === stage) continue;
        const records = others.get(row.stage) ?? new Map<string, StageTierRecord>();
        add(records, `t:${tier}`, row);
        add(records, `m:${row.model}`, row);
        others.set(row.stage, records);
      }
      const absolute = new Map<string, BetaPrior>();
      const gaps = new Map<string, TierGap | null>();
      const records = (key: string) => [...others.values()].flatMap((r) => (r.has(key) ? [r.get(key)!] : []));
      const gapOf = (arm: string, reference: string) => {
        const key = `${arm}>${reference}`;
        return gaps.has(key) ? gaps.get(key)! : gaps.set(key, tierGap(others.values(), arm, reference)).get(key)!;
      };
      const triedModels = new Set([...others.values()].flatMap((r) => [...r.keys()].filter((key) => key.startsWith('m:'))));
      const tried = (model: string) => triedModels.has(`m:${model}`);
      borrowing = {
        absolute: ({ model, tier }) => {
          const key = tried(model) ? `m:${model}` : `t:${tier}`;
          return absolute.get(key) ?? absolute.set(key, empiricalBayesPrior(records(key), this.strengths.priorStrength)).get(key)!;
        },
        // Each side by its own record where the other stages tried it, else by its tier's; within
        // one tier only model to model (a tier's record says nothing of how its models differ).
        gap: (arm, reference) => {
          const from = tried(arm.model) ? `m:${arm.model}` : `t:${arm.tier}`;
          const to = tried(reference.model) ? `m:${reference.model}` : `t:${reference.tier}`;
          const sameTier = arm.tier === reference.tier;
          return from === to || (sameTier && (from.startsWith('t:') || to.startsWith('t:'))) ? null : gapOf(from, to);
        },
      };
      cached.stages.set(stage, borrowing);
    }
    return borrowing;
  }
}
