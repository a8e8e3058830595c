/**
 * How bench:routing judges a policy, as issue 32 decided. Per stage, each model's true success (the
 * generator's probability where the table was generated here, else its rate over the table's rows):
 * - feasible: some model's true success >= target + 1 point; served at the target - 1 point or
 *   better counts as compliant, and the deepest miss is kept;
 * - borderline: the best model within 1 point of the target, either side; served within 2 points of
 *   the best model;
 * - out of reach: the best model more than 1 point short; the model the router settles on (its
 *   choice without exploring once the stage's rows are replayed) within 5 points of the best, and
 *   the cheapest inside that band; what it served over all the stage's calls is kept too (within
 *   5 points of the best). Both cannot be asked of every stage: with ten models or more, tries of
 *   models 30 points worse at the 10% exploration budget cost 3 points, and the cheapest model in
 *   the band may sit 4 points under the best.
 * What a policy served is its choices' true success (luck left out) where true rates are known,
 * else its realised success on the rows. Savings are against the margin oracle: per stage the
 * cheapest model whose true success is >= target + 1 point, else the best model.
 */
import { OutcomeRow, OutcomeTable, stageKey } from './replayData';

export const MARGIN = 0.01;
const BORDERLINE_BAND = 0.02;
const OUT_OF_REACH_BAND = 0.05;
/** Float slack, so a rate of exactly target + 1 point counts as reaching it. */
const EPSILON = 1e-9;

export type StageKind = 'feasible' | 'borderline' | 'out of reach';

export interface StageTruth {
  target: number;
  kind: StageKind;
  /** The best model's true success. */
  best: number;
  /** The margin oracle's model. */
  oracle: string;
  /** The cheapest model within 5 points of the best. */
  cheapestInBand: string;
  truth: Record<string, number>;
}

/** What one policy did at one stage over a replay. */
export interface Tally {
  calls: number;
  successes: number;
  cost: number;
  models: Record<string, number>;
  /** Picks over the second half of the stage's rows, per model, and their successes. */
  late: Record<string, number>;
  lateSuccesses: number;
  /** Where the policy settled at the end of each replay (its choice without exploring), per model. */
  settled: Record<string, number>;
}

export function emptyTally(): Tally {
  return { calls: 0, successes: 0, cost: 0, models: {}, late: {}, lateSuccesses: 0, settled: {} };
}

export function sum(tallies: Iterable<Tally>): Tally {
  const total = emptyTally();
  for (const t of tallies) {
    total.calls += t.calls;
    total.successes += t.successes;
    total.cost += t.cost;
  }
  return total;
}

/** A stage's target in a run. */
export type TargetOf = (key: string) => number;

export function groupByStage(rows: OutcomeRow[]): Map<string, OutcomeRow[]> {
  const map = new Map<string, OutcomeRow[]>();
  for (const row of rows) {
    const key = stageKey(row);
    if (!map.has(key)) map.set(key, []);
    map.get(key)!.push(row);
  }
  return map;
}

/** Per stage: its kind, best model, margin oracle and cheapest model in the out-of-reach band. */
export function stageTruths(table: OutcomeTable, targetOf: TargetOf): Map<string, StageTruth> {
  const result = new Map<string, StageTruth>();
  for (const [key, rows] of groupByStage(table.rows)) {
    const target = targetOf(key);
    const truth = table.trueRates?.[key] ?? Object.fromEntries(table.models.map((m) => [m.id, rows.filter((r) => r.success[m.id]).length / rows.length]));
    const cost = (id: string) => rows.reduce((n, r) => n + r.cost[id], 0);
    const byCost = [...table.models].map((m) => m.id).sort((a, b) => cost(a) - cost(b));
    const best = Math.max(...byCost.map((id) => truth[id]));
    const bestModel = byCost.find((id) => truth[id] === best)!;
    const kind: StageKind = best >= target + MARGIN - EPSILON ? 'feasible' : best >= target - MARGIN - EPSILON ? 'borderline' : 'out of reach';
    const oracle = kind === 'feasible' ? byCost.find((id) => truth[id] >= target + MARGIN - EPSILON)! : bestModel;
    const cheapestInBand = byCost.find((id) => truth[id] >= best - OUT_OF_REACH_BAND - EPSILON)!;
    result.set(key, { target, kind, best, oracle, cheapestInBand, truth });
  }
  return result;
}

/**
 * A policy's success at a stage: its choices' true success where known, else its realised success;
 * over all the stage's calls, or (`settled`) over its second half.
 */
export function servedSuccess(table: OutcomeTable, truth: StageTruth, t: Tally, settled = false): number {
  const picks = settled ? t.late : t.models;
  const calls = Object.values(picks).reduce((n, c) => n + c, 0);
  if (!table.trueRates) return (settled ? t.lateSuccesses : t.successes) / calls;
  return Object.entries(picks).reduce((n, [model, c]) => n + c * truth.truth[model], 0) / calls;
}

/** A policy's results by stage kind, poolable over tables, targets and seed sets. */
export interface Goals {
  feasible: number;
  compliant: number;
  /** Largest shortfall under the target on a feasible stage (0 when none fell short). */
  deepestMiss: number;
  borderline: number;
  borderlineOk: number;
  outOfReach: number;
  /** Out-of-reach stages served (over all their calls) within 5 points of their best model. */
  outOfReachOk: number;
  /** Replays of out-of-reach stages (each stage once per order), those that settled on a model in the band, and on its cheapest. */
  settledRuns: number;
  settledInBand: number;
  settledCheapest: number;
  /** Cost of always the priciest model less the policy's, and less the margin oracle's. */
  saved: number;
  oracleSaved: number;
}

export function emptyGoals(): Goals {
  return {
    feasible: 0,
    compliant: 0,
    deepestMiss: 0,
    borderline: 0,
    borderlineOk: 0,
    outOfReach: 0,
    outOfReachOk: 0,
    settledRuns: 0,
    settledInBand: 0,
    settledCheapest: 0,
    saved: 0,
    oracleSaved: 0,
  };
}

export function savingsOf(g: Goals): number | null {
  return g.oracleSaved > 1e-12 ? g.saved / g.oracleSaved : null;
}

export function pool(into: Goals, g: Goals): Goals {
  into.feasible += g.feasible;
  into.compliant += g.compliant;
  into.deepestMiss = Math.max(into.deepestMiss, g.deepestMiss);
  into.borderline += g.borderline;
  into.borderlineOk += g.borderlineOk;
  into.outOfReach += g.outOfReach;
  into.outOfReachOk += g.outOfReachOk;
  into.settledRuns += g.settledRuns;
  into.settledInBand += g.settledInBand;
  into.settledCheapest += g.settledCheapest;
  into.saved += g.saved;
  into.oracleSaved += g.oracleSaved;
  return into;
}

/** One policy's tallies judged per stage kind, with its savings against the margin oracle's. */
export function score(table: OutcomeTable, perStage: Map<string, Tally>, truths: Map<string, StageTruth>, premiumCost: number, oracleCost: number): Goals {
  const goals = emptyGoals();
  for (const [key, t] of perStage) {
    const truth = truths.get(key)!;
    const served = servedSuccess(table, truth, t);
    if (truth.kind === 'feasible') {
      goals.feasible++;
      if (served >= truth.target - MARGIN - EPSILON) goals.compliant++;
      goals.deepestMiss = Math.max(goals.deepestMiss, truth.target - served);
    } else if (truth.kind === 'borderline') {
      goals.borderline++;
      if (served >= truth.best - BORDERLINE_BAND - EPSILON) goals.borderlineOk++;
    } else {
      goals.outOfReach++;
      if (served >= truth.best - OUT_OF_REACH_BAND - EPSILON) goals.outOfReachOk++;
      for (const [model, runs] of Object.entries(t.settled)) {
        goals.settledRuns += runs;
        if (truth.truth[model] >= truth.best - OUT_OF_REACH_BAND - EPSILON) goals.settledInBand += runs;
        if (model === truth.cheapestInBand) goals.settledCheapest += runs;
      }
    }
  }
  goals.saved = premiumCost - sum(perStage.values()).cost;
  goals.oracleSaved = premiumCost - oracleCost;
  return goals;
}
