import { fillBeta, regularizedBeta } from '../stats/statistics';
import { seededRandom } from '../random';

/**
 * A stage's arms judged together under a soft belief that tiers are ordered: at one stage, a model
 * of a pricier tier succeeds at least as often as the models of cheaper tiers. With few calls this
 * is what tells a premium model's unlucky first failures (on requests that are hard for every
 * model) from a premium model that is really worse, and what keeps an untried cheap model from
 * looking plausible at a stage where a pricier tier has already fallen short.
 *
 * Each arm's posterior is a mixture of its own and its own conditioned on "in order with the other
 * tiers", weighted by the posterior probability of that order: prior odds (ORDER_PRIOR) times a
 * Bayes factor, P(order | calls) / P(order | prior), the first read off posterior draws, the second
 * integrated on a grid. Where the stage's calls contradict the order it fades. Upward, an arm is
 * conditioned on being at least as good as every cheaper tier (a thinly measured pricier model is
 * lifted). Downward, only for a given target and only below pricier tiers that were tried here and
 * are more likely than not to fall short of it: an untried or thinly measured cheaper model is then
 * held below them, so it is not plausible where a pricier tier already fails (a pricier tier that
 * does well, or was never tried, drags nothing down, so a new stage still starts on its cheapest
 * model). Conditioning moves a model only as far as its own evidence allows: a well-measured model
 * stays where it is. Which model is the most successful, and Thompson's draws, come from the same
 * two worlds: every tier in order (weighted by that belief) or no order.
 */

export interface ArmPosterior {
  /** Beta posterior and prior parameters. */
  alpha: number;
  beta: number;
  priorAlpha: number;
  priorBeta: number;
  /** 0 cheap, 1 capable, 2 premium; anything else takes no part in the order. */
  rank: number;
}

/** Thompson's draws of a joint summary: all a choice needs once the summary is made (and all it keeps of it). */
export interface JointDraws {
  /** One Thompson draw per arm (cheapest first, as given), from the same posterior. */
  sample(random: () => number): Float64Array;
  /** The probability that a Thompson draw passes `test`: exact over the draws `sample` picks from. `test` must not keep the draw (its buffer is reused). */
  probability(test: (draw: Float64Array) => boolean): number;
}

export interface JointSummary extends JointDraws {
  /** Per arm: posterior probability that it does at least as well as the cheaper tiers (0 when none). */
  belief: number[];
  /** Per arm: posterior mean and probability of meeting the target, with the order mixed in. */
  mean: number[];
  chance: number[];
  /**
   * Per arm: probability that it is the most successful model of the stage, mixing the free
   * posterior with the one where every tier is in order.
   */
  best: number[];
  /** Per arm: the probability of meeting a target (any target), with the order mixed in as in `chance`. */
  chanceAt(arm: number, target: number): number;
  /** The draws alone, without the rest of the summary (what a caller keeps between decisions). */
  draws: JointDraws;
}

/** Prior probability that a pricier tier does at least as well as the cheaper ones at a given stage. */
export const ORDER_PRIOR = 0.9;
/** Monte Carlo draws behind the summaries: enough for ±4 points on a probability, cheap per decision. */
export const DRAWS = 128;

export function summarizeJointly(arms: ArmPosterior[], target: number, orderPrior = ORDER_PRIOR): JointSummary {
  const k = arms.length;
  const mean = arms.map((a) => a.alpha / (a.alpha + a.beta));
  const belief = arms.map(() => 0);
  const cheaper = neighbourArms(arms, (other, own) => other < own);
  const pricier = neighbourArms(arms, (other, own) => other > own);
  const applies = orderPrior > 0 && cheaper.some((list) => list.length > 0);
  const priors = priorKey(arms); // the key of the prior integrals' caches, built once per decision
  // Every buffer of this decision is a view on one ArrayBuffer: each typed array over 64 bytes owns
  // an off-heap backing store that young-generation collections sweep one by one, and this runs on
  // every decision (the decide-and-record loop's collections were its slowest moments).
  const memory = new ArrayBuffer(8 * (2 * k * DRAWS + 3 * k) + 4 * (k * DRAWS + k));
  let used = 0;
  const floats = (length: number) => new Float64Array(memory, (used += 8 * length) - 8 * length, length);
  const draws = floats(DRAWS * k); // one flat buffer, row by row
  for (let i = 0; i < k; i++) {
    const column = drawColumn(i, arms[i].alpha, arms[i].beta);
    for (let r = 0, offset = i; r < DRAWS; r++, offset += k) draws[offset] = column[r];
  }
  // Per arm, its draws at least as good as the cheaper tiers' and their row offsets (typed buffers
  // filled up to liftedCount: this runs on every decision, and its garbage is what collections cost).
  // One buffer each, arm i's part from i * DRAWS: two allocations per decision instead of 2k.
  const lifted = floats(k * DRAWS);
  const freeBest = floats(k);
  const chainBest = floats(k);
  const row = floats(k);
  const liftedRows = new Int32Array(memory, used, k * DRAWS);
  const liftedCount = new Int32Array(memory, used + 4 * k * DRAWS, k);
  const chainRows: number[] = []; // offsets of the draws where every tier is in order
  for (let offset = 0; offset < draws.length; offset += k) {
    const top = argmax(draws, offset, k);
    freeBest[top]++;
    if (!applies) continue;
    let inChain = true;
    for (let i = 0; i < k; i++) {
      if (!cheaper[i].length) continue;
      if (draws[offset + i] >= maxOf(draws, offset, cheaper[i])) {
        lifted[i * DRAWS + liftedCount[i]] = draws[offset + i];
        liftedRows[i * DRAWS + liftedCount[i]++] = offset;
      } else inChain = false;
    }
    if (inChain) {
      chainRows.push(offset);
      chainBest[top]++;
    }
  }
  // Upward: each arm's draws at least as good as the cheaper tiers', sorted (read at any target).
  const sortedLifted = arms.map((_, i) => lifted.subarray(i * DRAWS, i * DRAWS + liftedCount[i]).sort());
  for (let i = 0; i < k; i++) {
    if (!applies || !sortedLifted[i].length) continue;
    belief[i] = mixWeight(sortedLifted[i].length / DRAWS / priorInOrder(arms, i, cheaper[i], [], priors), orderPrior);
    mean[i] = belief[i] * average(sortedLifted[i]) + (1 - belief[i]) * mean[i];
  }
  const own = memoized(k, (i: number, at: number) => 1 - regularizedBeta(at, arms[i].alpha, arms[i].beta));
  const liftedChance = memoized(k, (i: number, at: number): number => {
    if (!belief[i]) return own(i, at);
    const list = sortedLifted[i];
    return belief[i] * ((list.length - lowerBound(list, at)) / list.length) + (1 - belief[i]) * own(i, at);
  });
  // Downward: below pricier tiers that have been tried here and are more likely than not to fall
  // short of the target, a cheaper model is held below them as far as the order is believed.
  // liftedChance falls as the target rises, so "short of t" is "t above the arm's median".
  const tried = arms.map((a) => a.alpha + a.beta > a.priorAlpha + a.priorBeta + 1e-9);
  const medians: number[] = [];
  const median = (j: number) => (medians[j] ??= tried[j] ? medianOf((at) => liftedChance(j, at)) : Infinity);
  const heldBelowPrior = new Map<string, number>(); // per arm and set of short arms: few per decision
  const chanceAt = (i: number, at: number): number => {
    const up = liftedChance(i, at);
    if (!applies) return up;
    const short = pricier[i].filter((j) => at > median(j));
    if (!short.length) return up;
    const rows = cheaper[i].length ? liftedRows : allRows(k);
    const first = cheaper[i].length ? i * DRAWS : 0;
    const count = cheaper[i].length ? liftedCount[i] : DRAWS;
    let kept = 0;
    let meeting = 0;
    for (let r = first; r < first + count; r++) {
      const offset = rows[r];
      const x = draws[offset + i];
      if (x > minOf(draws, offset, short)) continue;
      kept++;
      if (x >= at) meeting++;
    }
    if (!kept) return 0;
    const key = `${i}:${short.join(',')}`;
    let prior = heldBelowPrior.get(key);
    if (prior === undefined) heldBelowPrior.set(key, (prior = priorInOrder(arms, i, cheaper[i], short, priors)));
    const heldBelow = mixWeight(kept / DRAWS / prior, orderPrior);
    return heldBelow * (meeting / kept) + (1 - heldBelow) * own(i, at);
  };
  const chance = arms.map((_, i) => chanceAt(i, target));
  // Which model is the most successful, and Thompson's draws, come from two worlds: with probability
  // chainBelief one where every tier is in order (a draw from chainRows), else one without the order.
  const chainBelief = chainRows.length ? mixWeight(chainRows.length / DRAWS / priorChain(arms, priors), orderPrior) : 0;
  const best = arms.map((_, i) => chainBelief * (chainRows.length ? chainBest[i] / chainRows.length : 0) + (1 - chainBelief) * (freeBest[i] / DRAWS));
  const thompson = jointDraws(draws, row, chainRows, chainBelief);
  return { belief, mean, chance, best, chanceAt, sample: thompson.sample, probability: thompson.probability, draws: thompson };
}

/**
 * Thompson's draws from the two worlds: with probability chainBelief a row where every tier is in
 * order (one of chainRows), else any row. Made apart from the summary so that keeping them keeps
 * only the draws, not the summary's working state.
 */
function jointDraws(draws: Float64Array, row: Float64Array, chainRows: number[], chainBelief: number): JointDraws {
  const k = row.length;
  const sample = (source: () => number): Float64Array => {
    const offset = chainRows.length && source() < chainBelief ? chainRows[Math.floor(source() * chainRows.length)] : Math.floor(source() * DRAWS) * k;
    return draws.subarray(offset, offset + k);
  };
  // each draw is copied into `row`, the one buffer the test reads (not a view per draw)
  const passes = (test: (draw: Float64Array) => boolean, offset: number) => {
    for (let i = 0; i < k; i++) row[i] = draws[offset + i];
    return test(row);
  };
  const probability = (test: (draw: Float64Array) => boolean): number => {
    let all = 0;
    for (let offset = 0; offset < draws.length; offset += k) if (passes(test, offset)) all++;
    if (!chainRows.length) return all / DRAWS;
    let inChain = 0;
    for (const offset of chainRows) if (passes(test, offset)) inChain++;
    return chainBelief * (inChain / chainRows.length) + (1 - chainBelief) * (all / DRAWS);
  };
  return { sample, probability };
}

const rowOffsets: Int32Array[] = [];

/** Posterior parameters are rounded to this step for the draw cache (far below the draws' own noise). */
const PARAMETER_STEP = 0.05;
const columnCache = new Map<string, Float64Array>();

/**
 * DRAWS draws of Beta(alpha, beta) for the arm in position `arm`, from a fixed stream per position
 * and parameters: the same evidence gives the same summary (the recommended model does not
 * flicker), arms in different positions draw independently, and an arm whose posterior barely moved
 * since the last decision (most of them, at a stage with many models) reuses its draws.
 */
function drawColumn(arm: number, alpha: number, beta: number): Float64Array {
  const qa = steps(alpha, PARAMETER_STEP);
  const qb = steps(beta, PARAMETER_STEP);
  return cached(columnCache, 4096, `${arm}|${qa}|${qb}`, () => {
    const random = seededRandom(mix(mix(mix(0x7a11, arm), qa), qb));
    const column = new Float64Array(DRAWS);
    fillBeta(column, qa * PARAMETER_STEP, qb * PARAMETER_STEP, random);
    return column;
  });
}

/** A parameter rounded to a whole number of `step`s (at least one): the key of the caches above and below. */
function steps(x: number, step: number): number {
  return Math.max(1, Math.round(x / step));
}

/** One step of an integer hash (murmur3's finaliser on a combined word): seeds that do not collide by accident. */
function mix(seed: number, value: number): number {
  let h = Math.imul(seed ^ value, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Offsets of every draw row for k arms (made once per k). */
function allRows(k: number): Int32Array {
  return (rowOffsets[k] ??= Int32Array.from({ length: DRAWS }, (_, r) => r * k));
}

/** The target at which a falling chance crosses one half (to 1e-4), by bisection. */
function medianOf(chance: (at: number) => number): number {
  let low = 0;
  let high = 1;
  if (chance(high) >= 0.5) return 1;
  while (high - low > 1e-4) {
    const mid = (low + high) / 2;
    if (chance(mid) >= 0.5) low = mid;
    else high = mid;
  }
  return low;
}

/** A function of (arm, target) remembered per arm and target: bisections ask the same targets of every arm. */
function memoized(arms: number, compute: (arm: number, at: number) => number): (arm: number, at: number) => number {
  const memo = Array.from({ length: arms }, () => new Map<number, number>());
  return (arm, at) => {
    let value = memo[arm].get(at);
    if (value === undefined) memo[arm].set(at, (value = compute(arm, at)));
    return value;
  };
}

/** Posterior weight of the order from its prior probability and the Bayes factor for it. */
function mixWeight(bayesFactor: number, orderPrior: number): number {
  return (orderPrior * bayesFactor) / (orderPrior * bayesFactor + 1 - orderPrior);
}

/** For each arm, the arms of cheaper (or pricier) tiers, as `relation` says; none for unranked arms. */
function neighbourArms(arms: ArmPosterior[], relation: (other: number, own: number) => boolean): number[][] {
  return arms.map((a) => (ranked(a.rank) ? arms.flatMap((b, j) => (ranked(b.rank) && relation(b.rank, a.rank) ? [j] : [])) : []));
}

function ranked(rank: number): boolean {
  return rank >= 0 && rank <= 2;
}

function maxOf(draws: Float64Array, offset: number, indices: number[]): number {
  let max = -Infinity;
  for (const j of indices) if (draws[offset + j] > max) max = draws[offset + j];
  return max;
}

function minOf(draws: Float64Array, offset: number, indices: number[]): number {
  let min = Infinity;
  for (const j of indices) if (draws[offset + j] < min) min = draws[offset + j];
  return min;
}

/** Index of the first value >= x in an ascending array. */
function lowerBound(sorted: Float64Array, x: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid] < x) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Index of the highest draw; a tie goes to the later (pricier) arm, as the order would have it. */
function argmax(draws: Float64Array, offset: number, k: number): number {
  let top = 0;
  for (let i = 1; i < k; i++) if (draws[offset + i] >= draws[offset + top]) top = i;
  return top;
}

function average(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Grid for the prior integrals: fine enough for a Bayes factor's denominator. */
const GRID = 128;
const cdfCache = new Map<string, Float64Array>();

/**
 * Prior parameters are rounded to this step in the prior integrals: a workflow's tier priors drift a
 * little with every refresh, and the integrals (a Bayes factor's denominator) hardly change with
 * them, so rounded priors keep the caches warm instead of recomputing grids after every refresh.
 */
const PRIOR_STEP = 0.1;

/** A Beta(alpha, beta) CDF at x = 0, 1/GRID, ..., 1 for rounded priors, cached: priors repeat across decisions. */
function cdfOnGrid(alpha: number, beta: number): Float64Array {
  const qa = steps(alpha, PRIOR_STEP);
  const qb = steps(beta, PRIOR_STEP);
  return cached(cdfCache, 1024, `${qa},${qb}`, () => {
    const cdf = new Float64Array(GRID + 1);
    for (let g = 0; g <= GRID; g++) cdf[g] = regularizedBeta(g / GRID, qa * PRIOR_STEP, qb * PRIOR_STEP);
    return cdf;
  });
}

/** A least-recently-used cache: each stage has priors of its own, so many are in use at once. */
function cached<T>(cache: Map<string, T>, size: number, key: string, compute: () => T): T {
  let value = cache.get(key);
  if (value !== undefined) {
    cache.delete(key);
  } else {
    value = compute();
    if (cache.size >= size) cache.delete(cache.keys().next().value as string);
  }
  cache.set(key, value);
  return value;
}

function priorKey(arms: ArmPosterior[]): string {
  return arms.map((a) => `${a.rank}:${steps(a.priorAlpha, PRIOR_STEP)}:${steps(a.priorBeta, PRIOR_STEP)}`).join('|');
}

const orderedCache = new Map<string, number>();

/**
 * P(arm i at least as good as every cheaper tier and at most as good as every pricier one) under
 * the priors alone: the integral of arm i's prior density times the cheaper priors' CDFs and the
 * pricier priors' survival functions.
 */
export function priorInOrder(arms: ArmPosterior[], i: number, cheaperIndices: number[], pricierIndices: number[] = [], key = priorKey(arms)): number {
  return cached(orderedCache, 8192, `${i}/${pricierIndices.join(',')}/${key}`, () => {
    const own = cdfOnGrid(arms[i].priorAlpha, arms[i].priorBeta);
    const below = cheaperIndices.map((j) => cdfOnGrid(arms[j].priorAlpha, arms[j].priorBeta));
    const above = pricierIndices.map((j) => cdfOnGrid(arms[j].priorAlpha, arms[j].priorBeta));
    let total = 0;
    for (let g = 0; g < GRID; g++) {
      let weight = 1;
      for (const cdf of below) weight *= (cdf[g] + cdf[g + 1]) / 2;
      for (const cdf of above) weight *= 1 - (cdf[g] + cdf[g + 1]) / 2;
      total += (own[g + 1] - own[g]) * weight;
    }
    return Math.max(total, 1e-6);
  });
}

const chainCache = new Map<string, number>();

/**
 * P(every tier in order) under the priors alone, on the grid (cached: priors repeat across
 * decisions): with the middle tier's lowest and highest values in cells a <= b, the cheap tier
 * must lie at or below a and premium at or above b.
 */
export function priorChain(arms: ArmPosterior[], key = priorKey(arms)): number {
  return cached(chainCache, 4096, key, () => Math.max(chainOnGrid(arms), 1e-6));
}

// chainOnGrid's working rows, made once (it runs whenever the priors move); minAtLeast[GRID] stays 0.
const maxAtMost = new Float64Array(GRID);
const minAtLeast = new Float64Array(GRID + 1);

/** The product over the CDFs of their value at grid point g (or of 1 minus it). */
function productAt(cdfs: Float64Array[], g: number, complement: boolean): number {
  let p = 1;
  for (const cdf of cdfs) p *= complement ? 1 - cdf[g] : cdf[g];
  return p;
}

function chainOnGrid(arms: ArmPosterior[]): number {
  const groups = [0, 1, 2].map((rank) => arms.filter((a) => a.rank === rank).map((a) => cdfOnGrid(a.priorAlpha, a.priorBeta))).filter((g) => g.length);
  if (groups.length < 2) return 1;
  const [low, middle, high] = groups.length === 3 ? groups : [groups[0], [], groups[1]];
  // Cell c spans grid points c and c + 1; values in one cell count as in order.
  for (let c = 0; c < GRID; c++) {
    maxAtMost[c] = productAt(low, c + 1, false);
    minAtLeast[c] = productAt(high, c, true);
  }
  let total = 0;
  if (middle.length === 0) {
    for (let b = 0; b < GRID; b++) total += (minAtLeast[b] - minAtLeast[b + 1]) * maxAtMost[b];
  } else if (middle.length === 1) {
    const cdf = middle[0];
    for (let c = 0; c < GRID; c++) total += (cdf[c + 1] - cdf[c]) * maxAtMost[c] * minAtLeast[c];
  } else {
    // P(all of the middle tier within cells a..b), then inclusion-exclusion for min = a and max = b.
    const within = (a: number, b: number) => {
      if (a > b) return 0;
      let p = 1;
      for (const cdf of middle) p *= cdf[b + 1] - cdf[a];
      return p;
    };
    for (let a = 0; a < GRID; a++) {
      if (maxAtMost[a] === 0) continue;
      for (let b = a; b < GRID; b++) total += (within(a, b) - within(a + 1, b) - within(a, b - 1) + within(a + 1, b - 1)) * maxAtMost[a] * minAtLeast[b];
    }
  }
  return total;
}

/**
 * Empties the draw and prior-integral caches (they live as long as the process). For tests, which
 * start each case from nothing: a value cached by an earlier case would hide what this one computes.
 */
export function clearJointCaches(): void {
  for (const cache of [columnCache, cdfCache, orderedCache, chainCache]) cache.clear();
}
