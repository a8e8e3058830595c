import { strict as assert } from 'assert';
import { AdaptiveModelRouter, TelemetryStore, openTelemetry } from '../../src/core';
import { relativePrior, tierGap } from '../../src/core/routing/stagePriors';
import type { Tier } from '../../src/core/tiers';
import { fixedClock, series } from './helpers';

const stage = (cheap: [number, number], premium: [number, number]) =>
  new Map<Tier, { calls: number; successes: number }>([
    ['cheap', { calls: cheap[0], successes: cheap[1] }],
    ['premium', { calls: premium[0], successes: premium[1] }],
  ]);

describe("stage priors: the gap between tiers carries over from the workflow's other stages", () => {
  it('measures the mean gap where both tiers have calls, and needs three such stages', () => {
    const stages = [stage([100, 58], [100, 60]), stage([100, 78], [100, 80]), stage([100, 93], [100, 95]), stage([3, 0], [100, 99])];
    const gap = tierGap(stages, 'cheap', 'premium')!;
    assert.equal(gap.stages, 3, 'the stage with 3 cheap calls is too thin to count');
    assert.ok(Math.abs(gap.mean + 0.02) < 0.002, String(gap.mean));
    assert.ok(gap.variance >= 0.0025, 'a handful of agreeing stages is not certainty');
    assert.equal(tierGap(stages.slice(0, 2), 'cheap', 'premium'), null);
    assert.equal(tierGap(stages, 'capable', 'premium'), null, 'a tier nobody used has no gap');
  });

  it("puts an arm at the reference model's rate plus the gap, weighted by how sure both are", () => {
    const gap = { mean: -0.02, variance: 0.003, stages: 5 };
    const wellMeasured = relativePrior({ successes: 186, failures: 14 }, gap, 20);
    assert.ok(Math.abs(wellMeasured.mean - (186.5 / 201 - 0.02)) < 1e-9);
    const thin = relativePrior({ successes: 9, failures: 1 }, gap, 20);
    assert.ok(thin.strength < wellMeasured.strength, `${thin.strength} < ${wellMeasured.strength}`);
    assert.ok(relativePrior({ successes: 1e6, failures: 1 }, { mean: -0.001, variance: 1e-9, stages: 9 }, 20).strength <= 20, 'capped');
    assert.ok(relativePrior({ successes: 0, failures: 40 }, { mean: -0.3, variance: 0.01, stages: 3 }, 20).mean >= 0.02, 'kept inside (0, 1)');
  });

  describe('in route()', () => {
    const clock = fixedClock();
    let store: TelemetryStore;
    beforeEach(async () => {
      store = await openTelemetry({ now: clock.now });
    });
    afterEach(() => store.close());

    it('keeps a cheap model plausible after two early failures when other stages show it close to premium', () => {
      const end = new Date(clock.now().getTime() - 60_000);
      // Other stages differ a lot in difficulty (55% to 95%), yet cheap trails premium by about 2 points on each.
      ['plan', 'draft', 'check', 'polish'].forEach((name, s) => {
        const rate = 0.55 + 0.13 * s;
        store.trackLlmCalls(
          series(60, { end, stage: name, model: 'claude-haiku-4-5', tier: 'cheap', cost: 0.001, fails: (i) => (i * 37) % 100 >= (rate - 0.02) * 100 }),
        );
        store.trackLlmCalls(series(60, { end, stage: name, model: 'claude-fable-5', tier: 'premium', cost: 0.02, fails: (i) => (i * 37) % 100 >= rate * 100 }));
      });
      // This stage: premium at 28/30, cheap tried 4 times with 2 failures.
      store.trackLlmCalls(series(30, { end, model: 'claude-fable-5', tier: 'premium', cost: 0.02, fails: (i) => i % 15 === 7 }));
      store.trackLlmCalls(series(4, { end, model: 'claude-haiku-4-5', tier: 'cheap', cost: 0.001, fails: (i) => i < 2 }));
      const q = { workflow: 'code-review', stage: 'analysis', minSuccessRate: 0.8 };
      const withGap = new AdaptiveModelRouter(store).route(q, { explore: false });
      assert.equal(withGap.model, 'claude-haiku-4-5', withGap.reason);
      const without = new AdaptiveModelRouter(store, { learning: { gapPriorStrength: 0 } }).route(q, { explore: false });
      assert.notEqual(without.model, 'claude-haiku-4-5', 'without the gap, two failures in four calls rule the cheap model out');
    });
  });
});
