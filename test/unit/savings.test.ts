import { strict as assert } from 'assert';
import type { StageOverview } from '../../src/core/stats/overview';
import { confidentDowngrade, perSuccessText, savingsText, stageSavings, totalSavings } from '../../src/core/stats/savings';
import type { SavingsEstimate } from '../../src/core/stats/savings';
import { addSpend, type Spend } from '../../src/core/stats/spend';

/** n calls each billed `usd`: a spend with no spread. */
const billed = (n: number, usd: number): Spend => ({
  reported: n * usd,
  reportedCalls: n,
  reportedSqSum: n * usd * usd,
  estimated: 0,
  estimatedCalls: 0,
  unknownCalls: 0,
});

/** A stage on 'pricey' (60 calls at $0.10) and 'cheap' (40 at $0.03), the router recommending `model` with `chance` of the 80% target. */
function stage(over: { model?: string; chance?: number; cheapCalls?: number; outOfReach?: boolean; fallback?: boolean } = {}): StageOverview {
  const cheapCalls = over.cheapCalls ?? 40;
  const model = over.model ?? 'cheap';
  const models = [
    { model: 'pricey', calls: 60, successRate: 0.9, spend: billed(60, 0.1) },
    { model: 'cheap', calls: cheapCalls, successRate: 0.85, spend: billed(cheapCalls, 0.03) },
  ];
  return {
    workflow: 'w',
    stage: 's',
    calls: 60 + cheapCalls,
    models,
    spend: addSpend(models[0].spend, models[1].spend),
    recommendation: {
      model,
      target: 0.8,
      tier: model === 'cheap' ? 'cheap' : 'premium',
      fallback: over.fallback ?? false,
      adaptive: true,
      outOfReach: over.outOfReach ?? false,
      verdict: over.outOfReach ? 'out-of-reach' : 'keep',
      decision: {
        alternatives: models.map((m) => ({
          model: m.model,
          tier: m.model === 'cheap' ? 'cheap' : 'premium',
          calls: m.calls,
          chanceOfTarget: m.model === model ? (over.chance ?? 0.97) : 0.5,
        })),
      },
    },
  } as unknown as StageOverview;
}

const options = { days: 7, minSampleSize: 20 };

describe('savings: what the recommended model would save per week, with its interval, only on enough evidence', () => {
  it('hand-computed: $7.20 spent in a week, $3.00 on the cheap model, $4.20 saved, 90% interval from the spread of costs and of the call count', () => {
    const { estimate } = stageSavings(stage(), options);
    assert.ok(estimate);
    assert.equal(estimate.direction, 'save');
    const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);
    near(estimate.spentPerWeek, 7.2, 'spent');
    near(estimate.wouldSpendPerWeek, 3, 'would spend');
    near(estimate.perWeek, 4.2, 'saved');
    // Stage per-call variance: (0.636 - 7.2^2 / 100) / 99; the cheap model's is 0 (every call $0.03).
    // Var = 100^2 x (0.0011878788 / 100) + 0.042^2 x 100^2 / 100 = 0.1187879 + 0.1764; half-width 1.6449 x sd.
    const half = 1.6448536269514722 * Math.sqrt(100 ** 2 * ((0.636 - 0.5184) / 99 / 100) + 0.042 ** 2 * 100);
    near(estimate.low, 4.2 - half, 'low');
    near(estimate.high, 4.2 + half, 'high');
    near(estimate.perSuccess.recommended!, 0.03 / 0.85, 'per success on the cheap model');
    near(estimate.perSuccess.now!, 0.072 / ((0.9 * 60 + 0.85 * 40) / 100), 'per success now');
    assert.equal(savingsText(estimate), `could save ~$4.20 / week ($${(4.2 - half).toFixed(2)}–$${(4.2 + half).toFixed(2)}) on cheap`);
    // 0.072 / 0.88 = 0.0818..., 0.03 / 0.85 = 0.0352...
    assert.equal(perSuccessText(estimate), 'per success $0.0818 now, $0.0353 on cheap');
    assert.equal(perSuccessText({ ...estimate, perSuccess: { now: null, recommended: 0.03 } }), undefined, 'unknown while nothing succeeded');
  });

  it('twice the days at the same spend is half the weekly pace', () => {
    const { estimate } = stageSavings(stage(), { ...options, days: 14 });
    assert.ok(Math.abs(estimate!.perWeek - 2.1) < 1e-9);
  });

  it('the other direction: what reaching the target on a pricier model costs per week', () => {
    const { estimate } = stageSavings(stage({ model: 'pricey' }), options);
    assert.equal(estimate!.direction, 'spend');
    assert.ok(Math.abs(estimate!.perWeek - (7.2 - 10)) < 1e-9, String(estimate!.perWeek));
    assert.match(savingsText(estimate!), /^\+\$2\.80 \/ week \(\$\d\.\d\d–\$\d\.\d\d\) to reach 80% on pricey$/);
  });

  it('no number without confidence, enough calls, a reachable target and a range of days: the reason instead', () => {
    const why = (s: StageOverview, o = options) => stageSavings(s, o).why;
    assert.match(why(stage({ chance: 0.94 }))!, /needs 20\+ calls here and a 95% chance of the 80% target \(it has 40 calls and a 94% chance\)/);
    assert.match(why(stage({ cheapCalls: 19 }))!, /it has 19 calls/);
    assert.equal(stageSavings(stage({ cheapCalls: 20 }), options).why, undefined, 'exactly the minimum sample is enough');
    assert.equal(stageSavings(stage({ chance: 0.95 }), options).why, undefined, 'exactly the confidence is enough');
    assert.match(why(stage({ outOfReach: true }))!, /no model reaches the 80% target/);
    assert.match(why(stage({ fallback: true }))!, /no evidence/);
    assert.match(why(stage(), { ...options, days: 0 })!, /time range of days/);
    assert.match(why({ ...stage(), recommendation: undefined })!, /not worked out yet/);
    const single = stage();
    assert.match(why({ ...single, models: single.models.filter((m) => m.model === 'cheap'), calls: 40 })!, /already runs on cheap/);
  });

  it('sums the stages that would save, their interval as independent ones', () => {
    const e = (perWeek: number, half: number, direction: 'save' | 'spend' = 'save') =>
      ({ perWeek, low: perWeek - half, high: perWeek + half, direction }) as SavingsEstimate;
    const total = totalSavings([e(4, 3), e(2, 4), e(-5, 1, 'spend')]);
    assert.deepEqual(total, { perWeek: 6, low: 1, high: 11, stages: 2 });
  });

  it('a downgrade is suggested only to a cheaper tier with a 95% chance of the target on the minimum sample, never out of reach', () => {
    assert.deepEqual(confidentDowngrade(stage(), 'premium', 20), { model: 'cheap', tier: 'cheap', chance: 0.97, calls: 40 });
    assert.ok(confidentDowngrade(stage({ chance: 0.95, cheapCalls: 20 }), 'capable', 20), 'exactly at both bounds');
    assert.equal(confidentDowngrade(stage({ chance: 0.9499 }), 'premium', 20), undefined);
    assert.equal(confidentDowngrade(stage({ cheapCalls: 19 }), 'premium', 20), undefined);
    assert.equal(confidentDowngrade(stage({ outOfReach: true }), 'premium', 20), undefined);
    assert.equal(confidentDowngrade(stage({ fallback: true }), 'premium', 20), undefined);
    assert.equal(confidentDowngrade(stage(), 'cheap', 20), undefined, 'not a cheaper tier than the declared one');
    assert.equal(confidentDowngrade(stage({ model: 'pricey' }), 'capable', 20), undefined, 'an upgrade is not a downgrade');
  });

  it('a confident capable model is suggested where the recommendation is a cheap one not yet confident, and priced as such', () => {
    // Declared premium; recommended haiku-like 'cheap' at a 60% chance; 'mid' (capable, 30 calls at $0.05) at 97%.
    const s = stage({ chance: 0.6 });
    const mid = { model: 'mid', calls: 30, successRate: 0.93, spend: billed(30, 0.05) };
    s.models.push(mid as (typeof s.models)[number]);
    s.calls += 30;
    s.spend = addSpend(s.spend, mid.spend);
    const alternatives = s.recommendation!.decision.alternatives;
    alternatives.splice(1, 0, { ...alternatives[0], model: 'mid', tier: 'capable', calls: 30, chanceOfTarget: 0.97 });
    assert.deepEqual(confidentDowngrade(s, 'premium', 20), { model: 'mid', tier: 'capable', chance: 0.97, calls: 30 });
    assert.equal(confidentDowngrade(s, 'capable', 20), undefined, 'nothing confident below capable');
    const { estimate } = stageSavings(s, { ...options, model: 'mid' });
    assert.equal(estimate!.model, 'mid');
    // $6 + $1.20 + $1.50 over 130 calls, against $0.05 a call: (8.7 / 130 - 0.05) x 130 = $2.20 a week.
    assert.ok(Math.abs(estimate!.perWeek - 2.2) < 1e-9, String(estimate!.perWeek));
    alternatives[1].excludedBy = 'cost $0.0500 > $0.0400';
    assert.equal(confidentDowngrade(s, 'premium', 20), undefined, "never a model the query's limits rule out");
  });
});
