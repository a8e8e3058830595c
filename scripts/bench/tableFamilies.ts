/**
 * The random table families bench:routing replays: the two the router was tuned beside (many models,
 * short stages), the two cases issue 32 added (a target out of reach among many models, and high
 * targets met by a narrow margin), then the informational ones.
 */
import { seededRandom } from '../../src/core/random';
import type { Tier } from '../../src/core/tiers';
import { INFORMATIONAL_FAMILIES, MANY_MODELS, SHORT_STAGES, TableFamily, correlatedRows, trueRatesOf } from './replayData';

/** The rate stageRows draws from for a wanted success probability (the inverse of successProbability). */
function rateFor(probability: number): number {
  return (probability - 0.03) / 0.955;
}

/**
 * Many models, target out of reach: 10 to 12 models; the three priciest succeed 57-70% at 10-30x the
 * price of the mid-priced ones; one mid-priced model sits within 4 points of the best; every other
 * model is at least 8 points under the best (3 points outside the 5-point band), so the cheapest
 * model within 5 points of the best is that mid-priced one. Run at target 0.8, out of reach.
 */
export const MANY_MODELS_OUT_OF_REACH: TableFamily = {
  name: 'many models, out of reach',
  goals: { compliance: 0.95, savings: 0.9, borderline: 1, settledInBand: 1, settledCheapest: 0.9 },
  targets: [0.8],
  generate(seed) {
    const random = seededRandom(seed);
    const uniform = (low: number, high: number) => low + random() * (high - low);
    const count = 10 + Math.floor(random() * 3);
    const lower = count - 3;
    const mid = Math.floor(lower / 2);
    // The lower models from 1x to 8x, in order; the three priciest at 10-30x the mid-priced one.
    const factors = Array.from({ length: lower }, (_, i) => 8 ** (i / (lower - 1)) * (i === 0 ? 1 : uniform(0.9, 1.1))).sort((a, b) => a - b);
    factors.push(...[uniform(10, 30), uniform(10, 30), uniform(10, 30)].sort((a, b) => a - b).map((x) => x * factors[mid]));
    const models = factors.map((factor, i) => {
      const tier: Tier = i >= lower ? 'premium' : i < lower / 2 ? 'cheap' : 'capable';
      return { id: `${tier}-${i + 1}`, tier, inputPer1M: 0.25 * factor, outputPer1M: 1.25 * factor };
    });
    const stageCount = 4 + Math.floor(random() * 4);
    const probabilities: number[][] = [];
    const counts: number[] = [];
    for (let s = 0; s < stageCount; s++) {
      const premium = [uniform(0.57, 0.7), uniform(0.57, 0.7), uniform(0.57, 0.7)];
      const best = Math.max(...premium);
      const p = models.map((_, i) => {
        if (i >= lower) return premium[i - lower];
        if (i === mid) return best - uniform(0.005, 0.04);
        return uniform(i < mid ? 0.25 : 0.35, best - 0.08);
      });
      probabilities.push(p);
      counts.push(300 + Math.floor(random() * 1201));
    }
    const rates = probabilities.map((p) => p.map(rateFor));
    return {
      name: `many models, out of reach #${seed}`,
      models,
      rows: correlatedRows(random, 'reach', models, rates, counts, [1000, 6000], [200, 1500]),
      trueRates: trueRatesOf('reach', models, rates),
    };
  },
};

/**
 * High targets: 4 to 6 models about 20x apart; at each stage the cheapest model that clears 0.9
 * does so by 1 to 3 points, the cheaper ones fall 2 to 30 points short, the pricier ones do better
 * (success rises with price).
 * Run at target 0.9; 200 to 1,000 calls a stage.
 */
export const HIGH_TARGETS: TableFamily = {
  name: 'high targets',
  goals: { compliance: 0.98, savings: 0.7, borderline: 1 },
  targets: [0.9],
  generate(seed) {
    const random = seededRandom(seed);
    const uniform = (low: number, high: number) => low + random() * (high - low);
    const count = 4 + Math.floor(random() * 3);
    const models = Array.from({ length: count }, (_, i) => {
      const factor = 20 ** (i / (count - 1));
      const tier: Tier = i < count / 3 ? 'cheap' : i < (2 * count) / 3 ? 'capable' : 'premium';
      return { id: `${tier}-${i + 1}`, tier, inputPer1M: 0.5 * factor, outputPer1M: 2.5 * factor };
    });
    const stageCount = 4 + Math.floor(random() * 5);
    const probabilities: number[][] = [];
    const counts: number[] = [];
    for (let s = 0; s < stageCount; s++) {
      const feasible = Math.floor(random() * count);
      const clears = uniform(0.91, 0.93);
      // Success rises with price, as tiers usually do (the many-models families break the order).
      const p = Array.from({ length: feasible }, () => uniform(0.6, 0.88)).sort((a, b) => a - b);
      p.push(clears);
      while (p.length < count) p.push(Math.min(0.98, p[p.length - 1] + uniform(0, 0.03)));
      probabilities.push(p);
      counts.push(200 + Math.floor(random() * 801));
    }
    const rates = probabilities.map((p) => p.map(rateFor));
    return {
      name: `high targets #${seed}`,
      models,
      rows: correlatedRows(random, 'high', models, rates, counts, [800, 4000], [200, 1200]),
      trueRates: trueRatesOf('high', models, rates),
    };
  },
};

/** Every family the replay runs: those with goals first, then the informational ones. */
export const TABLE_FAMILIES: TableFamily[] = [MANY_MODELS, SHORT_STAGES, MANY_MODELS_OUT_OF_REACH, HIGH_TARGETS, ...INFORMATIONAL_FAMILIES];
