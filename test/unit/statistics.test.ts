import { strict as assert } from 'assert';
import { seededRandom } from '../../src/core/random';
import {
  betaQuantile,
  binomialUpperTail,
  decayWeight,
  exactInterval,
  logGamma,
  normalQuantile,
  regularizedBeta,
  sampleBeta,
  sampleGamma,
  wilsonInterval,
} from '../../src/core/stats/statistics';

describe('statistics', () => {
  it('normal quantiles match the tables', () => {
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
    assert.ok(Math.abs(normalQuantile(0.95) - 1.644854) < 1e-5);
    assert.ok(Math.abs(normalQuantile(0.5)) < 1e-9);
    assert.ok(Math.abs(normalQuantile(0.001) + 3.090232) < 1e-5);
  });

  it('Wilson interval: 6 failures of 20 at 95% is 14.5%–51.9% (hand-computed)', () => {
    // p = 0.3, z = 1.96: centre = (0.3 + 0.09604)/1.19208 = 0.33223, half = 1.96*sqrt(0.0105+0.0024)/1.19208 = 0.18683
    const { low, high } = wilsonInterval(6, 20, 0.95);
    assert.ok(Math.abs(low - 0.1455) < 5e-4, `low ${low}`);
    assert.ok(Math.abs(high - 0.519) < 5e-4, `high ${high}`);
  });

  it('Wilson interval stays inside [0, 1] at the edges and is wide without data', () => {
    const none = wilsonInterval(0, 10, 0.95);
    assert.equal(none.low, 0);
    assert.ok(none.high > 0.27 && none.high < 0.28, `0/10 upper bound ${none.high}`);
    const all = wilsonInterval(10, 10, 0.95);
    assert.equal(all.high, 1);
    assert.deepEqual(wilsonInterval(0, 0), { low: 0, high: 1 });
  });
});

describe('posterior sampling and tests', () => {
  it('Beta draws have the Beta mean and variance (Beta(8, 2): mean 0.8, variance 0.01455)', () => {
    const random = seededRandom(7);
    const n = 40_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const x = sampleBeta(8, 2, random);
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    // alpha*beta / ((alpha+beta)^2 (alpha+beta+1)) = 16 / (100 * 11) = 0.014545
    assert.ok(Math.abs(mean - 0.8) < 0.003, `mean ${mean}`);
    assert.ok(Math.abs(variance - 0.014545) < 0.0008, `variance ${variance}`);
  });

  it("Cheng's Beta draws follow the Beta CDF, and shapes at or below 1 use the Gamma ratio", () => {
    const random = seededRandom(11);
    // P(theta <= 0.8) for Beta(9, 3) = P(Binomial(11, 0.8) >= 9) = 0.617401 (see learningPolicy.test.ts).
    for (const [alpha, beta, cdf] of [
      [9, 3, 0.617401],
      [3, 9, 1 - regularizedBeta(0.2, 9, 3)],
      [1, 1, 0.8],
      [1, 3, 1 - 0.2 ** 3],
      [3, 1, 0.8 ** 3],
      [0.5, 0.5, (2 / Math.PI) * Math.asin(Math.sqrt(0.8))],
    ]) {
      let below = 0;
      const n = 40_000;
      for (let i = 0; i < n; i++) if (sampleBeta(alpha, beta, random) <= 0.8) below++;
      // Binomial standard error at n = 40,000 is at most 0.0025: four of them.
      assert.ok(Math.abs(below / n - cdf) < 0.01, `Beta(${alpha}, ${beta}): ${below / n} vs ${cdf}`);
    }
  });

  it('Gamma draws are positive, with the Gamma mean and variance (Gamma(3): 3 and 3; Gamma(1.2): 1.2 and 1.2)', () => {
    const random = seededRandom(5);
    for (const shape of [3, 1.2]) {
      const n = 40_000;
      let sum = 0;
      let sumSq = 0;
      for (let i = 0; i < n; i++) {
        const x = sampleGamma(shape, random);
        assert.ok(x > 0, `Gamma(${shape}) drew ${x}`);
        sum += x;
        sumSq += x * x;
      }
      const mean = sum / n;
      // Standard errors at n = 40,000: mean sqrt(shape / n) <= 0.009, variance about 0.05 (Gamma(3)).
      assert.ok(Math.abs(mean - shape) < 0.04, `Gamma(${shape}) mean ${mean}`);
      assert.ok(Math.abs(sumSq / n - mean * mean - shape) < 0.2, `Gamma(${shape}) variance ${sumSq / n - mean * mean}`);
    }
  });

  it('Gamma draws below shape 1 keep their mean (Gamma(0.5): mean 0.5)', () => {
    const random = seededRandom(3);
    let sum = 0;
    for (let i = 0; i < 40_000; i++) sum += sampleGamma(0.5, random);
    assert.ok(Math.abs(sum / 40_000 - 0.5) < 0.01);
  });

  it('binomial upper tails match hand-computed values', () => {
    // P(X >= 4 | n = 10, p = 0.15) = 1 - (0.19687 + 0.34743 + 0.27590 + 0.12983) = 0.04997
    assert.ok(Math.abs(binomialUpperTail(4, 10, 0.15) - 0.04997) < 1e-4);
    // P(X >= 5 | n = 5, p = 0.5) = 1/32
    assert.ok(Math.abs(binomialUpperTail(5, 5, 0.5) - 1 / 32) < 1e-12);
    assert.equal(binomialUpperTail(0, 5, 0.3), 1);
    assert.equal(binomialUpperTail(6, 5, 0.3), 0);
  });

  it('the Beta CDF at its switch point (where rounding of 1 - x used to recurse for ever) is finite and continuous', () => {
    const a = 13.950000000000001;
    const b = 0.25;
    const x = 0.9228395061728395; // (a + 1) / (a + b + 2), as floating point rounds it
    const at = regularizedBeta(x, a, b);
    assert.ok(Number.isFinite(at));
    assert.ok(Math.abs(at - regularizedBeta(x - 1e-9, a, b)) < 1e-6 && Math.abs(at - regularizedBeta(x + 1e-9, a, b)) < 1e-6);
  });

  it('the Beta CDF matches closed forms', () => {
    // I_x(4, 2) = x^4 (5 - 4x): at 0.8, 0.4096 * 1.8 = 0.73728
    assert.ok(Math.abs(regularizedBeta(0.8, 4, 2) - 0.73728) < 1e-9);
    // I_x(1, 1) = x; I_x(1, b) = 1 - (1 - x)^b
    assert.ok(Math.abs(regularizedBeta(0.2, 1, 1) - 0.2) < 1e-12);
    assert.ok(Math.abs(regularizedBeta(0.3, 1, 5) - (1 - 0.7 ** 5)) < 1e-12);
    // symmetric: I_0.5(a, a) = 0.5, also for non-integer and large shapes
    assert.ok(Math.abs(regularizedBeta(0.5, 7.3, 7.3) - 0.5) < 1e-9);
    assert.ok(Math.abs(regularizedBeta(0.5, 400, 400) - 0.5) < 1e-9);
  });

  it('decay halves a weight every half-life', () => {
    assert.equal(decayWeight(0, 200), 1);
    assert.equal(decayWeight(200, 200), 0.5);
    assert.equal(decayWeight(600, 200), 0.125);
    assert.equal(decayWeight(600, Infinity), 1);
  });
});

/** Reference values from SciPy 1.17 (scipy.stats.norm.ppf, math.lgamma, scipy.special.betainc, scipy.stats.beta.ppf). */
describe('special functions against reference values', () => {
  const near = (actual: number, expected: number, tolerance: number, what: string) =>
    assert.ok(Math.abs(actual - expected) < tolerance, `${what}: ${actual} vs ${expected}`);

  it('normal quantiles in both tails and on either side of the tail switch (p = 0.02425)', () => {
    near(normalQuantile(0.999), 3.090232306167813, 1e-6, 'upper tail');
    near(normalQuantile(0.02), -2.053748910631823, 1e-6, 'lower tail');
    near(normalQuantile(0.03), -1.880793608151251, 1e-6, 'central region');
    near(normalQuantile(0.98), 2.053748910631823, 1e-6, 'upper tail by symmetry');
    for (const bad of [0, 1, -0.5, 1.5, NaN]) assert.throws(() => normalQuantile(bad), new RangeError(`normalQuantile needs 0 < p < 1, got ${bad}`));
  });

  it('log-gamma below and above one half (the reflection formula)', () => {
    near(logGamma(0.1), 2.2527126517342055, 1e-9, 'lnΓ(0.1)');
    near(logGamma(0.25), 1.2880225246980772, 1e-9, 'lnΓ(0.25)');
    near(logGamma(0.5), 0.5723649429247004, 1e-9, 'lnΓ(0.5)');
    near(logGamma(5), 3.178053830347945, 1e-9, 'lnΓ(5) = ln 24');
    near(logGamma(100.5), 361.4355404677776, 1e-7, 'lnΓ(100.5)');
  });

  it('the regularized incomplete beta on both sides of the mean, and at the ends', () => {
    near(regularizedBeta(0.2, 2, 3), 0.1808, 1e-10, 'I_0.2(2, 3), below the mean');
    near(regularizedBeta(0.9, 2, 3), 0.9963, 1e-10, 'I_0.9(2, 3), above the mean (by symmetry)');
    near(regularizedBeta(0.3, 0.5, 0.5), 0.36901011956554536, 1e-9, 'I_0.3(0.5, 0.5)');
    near(regularizedBeta(0.99, 50, 2), 0.9075091007063049, 1e-9, 'I_0.99(50, 2)');
    // A well-measured posterior far above its mean: only the symmetric side converges in time.
    near(regularizedBeta(0.95, 900, 100), 0.9999999999203996, 1e-12, 'I_0.95(900, 100)');
    assert.equal(regularizedBeta(0, 2, 3), 0);
    assert.equal(regularizedBeta(-1, 2, 3), 0);
    assert.equal(regularizedBeta(1, 2, 3), 1);
    assert.equal(regularizedBeta(2, 2, 3), 1);
  });

  it('beta quantiles and exact (Clopper-Pearson) intervals', () => {
    near(betaQuantile(0.3, 2.5, 7.5), 0.16694327320179275, 1e-9, 'Beta(2.5, 7.5) 30% quantile');
    const twoOfTen = exactInterval(2, 10);
    near(twoOfTen.low, 0.03677143788746509, 1e-9, '2/10 at 90%: low');
    near(twoOfTen.high, 0.5069013010632024, 1e-9, '2/10 at 90%: high');
    const sevenOfTwenty = exactInterval(7, 20, 0.95);
    near(sevenOfTwenty.low, 0.15390920478454118, 1e-9, '7/20 at 95%: low');
    near(sevenOfTwenty.high, 0.5921885345328282, 1e-9, '7/20 at 95%: high');
    assert.deepEqual(exactInterval(0, 10), { low: 0, high: exactInterval(0, 10).high });
    near(exactInterval(0, 10).high, 0.2588655508930522, 1e-9, '0/10: high');
    near(exactInterval(10, 10).low, 0.7411344491069477, 1e-9, '10/10: low');
    assert.equal(exactInterval(10, 10).high, 1);
    assert.deepEqual(exactInterval(0, 0), { low: 0, high: 1 });
  });

  it('Wilson intervals default to 95% confidence', () => {
    assert.deepEqual(wilsonInterval(6, 20), wilsonInterval(6, 20, 0.95));
    assert.notDeepEqual(wilsonInterval(6, 20), wilsonInterval(6, 20, 0.9));
  });

  it('decay weights halve every half-life; a zero or infinite half-life weighs everything alike', () => {
    assert.equal(decayWeight(10, 10), 0.5);
    assert.equal(decayWeight(20, 10), 0.25);
    assert.equal(decayWeight(0, 10), 1);
    assert.equal(decayWeight(7, 0), 1);
    assert.equal(decayWeight(7, Infinity), 1);
  });
});
