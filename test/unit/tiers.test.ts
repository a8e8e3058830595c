import { strict as assert } from 'assert';
import { seededRandom } from '../../src/core/random';
import { describeEvidence, failureEvidence } from '../../src/core/stats/failureEvidence';
import { nextTier, parseTier, tierRank } from '../../src/core/tiers';

describe('tiers, the seeded generator and failure evidence', () => {
  it('parseTier reads every spelling the manifests and Python use, and nothing else', () => {
    for (const text of ['cheap', 'CHEAP', 'ModelTier.CHEAP', '  Capable ', 'a.b.premium']) assert.ok(parseTier(text), text);
    assert.equal(parseTier('ModelTier.CAPABLE'), 'capable');
    for (const text of ['', 'gold', 'CHEAP.x', 'cheapest']) assert.equal(parseTier(text), undefined, text);
    for (const value of [1, null, undefined, { tier: 'cheap' }]) assert.equal(parseTier(value), undefined, String(value));
    // Remembered answers are the same answers, also past the memo's size.
    for (let i = 0; i < 1100; i++) parseTier(`t${i}.cheap`);
    assert.equal(parseTier('t1099.cheap'), 'cheap');
    assert.equal(parseTier('t1099.cheap'), 'cheap');
    assert.equal(parseTier('gold'), undefined);
  });

  it('tier order: rank (unknown last) and the next tier up (premium stays premium)', () => {
    assert.deepEqual(
      ['cheap', 'capable', 'premium', null, undefined].map((t) => tierRank(t as never)),
      [0, 1, 2, 3, 3],
    );
    assert.deepEqual((['cheap', 'capable', 'premium'] as const).map(nextTier), ['capable', 'premium', 'premium']);
  });

  it('seededRandom is mulberry32: the reference values, in [0, 1)', () => {
    // First outputs of mulberry32 for seeds 1 and 2026, computed independently (Python).
    const one = seededRandom(1);
    assert.deepEqual([one(), one(), one()], [0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
    const other = seededRandom(2026);
    assert.deepEqual([other(), other()], [0.45540769933722913, 0.30849614599719644]);
    const r = seededRandom(-7);
    for (let i = 0; i < 10_000; i++) {
      const x = r();
      assert.ok(x >= 0 && x < 1, String(x));
    }
  });

  it('failure evidence: exact 90% interval, confident only when all of it is above three quarters of the threshold', () => {
    const e = failureEvidence(26, 100, 0.2);
    assert.equal(e.rate, 0.26);
    assert.equal(e.healthy, 0.15000000000000002);
    // SciPy: beta.ppf(0.05, 26, 75), beta.ppf(0.95, 27, 74)
    assert.ok(Math.abs(e.interval.low - 0.18901677312147688) < 1e-9 && Math.abs(e.interval.high - 0.3419918018360242) < 1e-9, JSON.stringify(e.interval));
    assert.equal(e.confident, true);
    assert.match(
      describeEvidence(e),
      /^Confident: failure rate 18\.9%–34\.2% \(90% interval\) over 100 calls, wholly above the 15\.0% a healthy stage may show \(threshold 20\.0%\)$/,
    );
    const thin = failureEvidence(3, 10, 0.2);
    assert.equal(thin.confident, false, '3 of 10: the interval reaches below 15%');
    assert.match(
      describeEvidence(thin),
      /^Not yet certain: failure rate 8\.7%–60\.7% \(90% interval\) over 10 calls; a healthy stage may show up to 15\.0% \(threshold 20\.0%\)$/,
    );
    const none = failureEvidence(0, 0, 0.2);
    assert.deepEqual([none.rate, none.confident, none.interval.low, none.interval.high], [0, false, 0, 1]);
  });
});
