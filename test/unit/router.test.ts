import { strict as assert } from 'assert';
import { binomialUpperTail } from '../../src/core/stats/statistics';
import { AdaptiveModelRouter, ModelRegistry, TelemetryStore, openTelemetryStore, pct, recommendStage } from '../../src/core';
import { empiricalBayesPrior } from '../../src/core/routing/stagePriors';
import { seededRandom } from '../../src/core/random';
import { fixedClock, series } from './helpers';

describe('AdaptiveModelRouter', () => {
  const clock = fixedClock();
  let store: TelemetryStore;
  let router: AdaptiveModelRouter;
  beforeEach(async () => {
    store = await openTelemetryStore({ now: clock.now });
    router = new AdaptiveModelRouter(store);
  });
  afterEach(() => store.close());
  const end = () => new Date(clock.now().getTime() - 60_000);

  it('seed: 50 haiku-3.5 calls at $0.0018 with every tenth failing give that model and no upgrade', () => {
    store.trackLlmCalls(series(50, { end: end(), fails: (i) => i % 10 === 0 }));
    assert.equal(router.getBestModel({ workflow: 'code-review', stage: 'analysis', maxCost: 0.01, minSuccessRate: 0.85 }), 'claude-haiku-3.5');
    const verdict = router.recommendTierUpgrade('code-review', 'analysis');
    assert.equal(verdict.upgrade, false);
    assert.equal(verdict.reason, 'Performance acceptable: 10.0% failure rate');
    assert.equal(verdict.confident, false);
  });

  it('seed: 25 calls whose latest 6 fail recommend an upgrade with "30.0%"', () => {
    store.trackLlmCalls(series(25, { end: end(), fails: (i) => i >= 19 }));
    const verdict = router.recommendTierUpgrade('code-review', 'analysis');
    assert.equal(verdict.upgrade, true);
    assert.equal(verdict.reason, 'High failure rate: 30.0% (6/20 failed in recent calls)');
    assert.equal(verdict.currentTier, 'cheap');
    assert.equal(verdict.recommendedTier, 'capable');
    assert.equal(verdict.sampleSize, 25);
    // 6 of 25 failed overall. The exact 90% interval: P(X >= 6 | low) = 5% and P(X <= 6 | high) = 5%,
    // checked with the binomial sums; its low end is below the healthy 15%, so a hint, not a warning.
    assert.equal(verdict.confident, false);
    assert.ok(Math.abs(binomialUpperTail(6, 25, verdict.interval.low) - 0.05) < 1e-6, `low ${verdict.interval.low}`);
    assert.ok(Math.abs(1 - binomialUpperTail(7, 25, verdict.interval.high) - 0.05) < 1e-6, `high ${verdict.interval.high}`);
    assert.ok(verdict.interval.low < 0.15 && verdict.interval.high > 0.4, JSON.stringify(verdict.interval));
  });

  it('seed: exactly 20% failing does not upgrade (strictly above the threshold)', () => {
    store.trackLlmCalls(series(20, { end: end(), fails: (i) => i % 5 === 0 }));
    const verdict = router.recommendTierUpgrade('code-review', 'analysis');
    assert.equal(verdict.upgrade, false);
    assert.equal(verdict.reason, 'Performance acceptable: 20.0% failure rate');
  });

  it('seed: 5 calls give "Insufficient data"', () => {
    store.trackLlmCalls(series(5, { end: end(), fails: () => true }));
    const verdict = router.recommendTierUpgrade('code-review', 'analysis');
    assert.equal(verdict.upgrade, false);
    assert.equal(verdict.reason, 'Insufficient data (5 calls, need 10)');
  });

  it("parity: only the last-20 rule says upgrade; the whole window's confident verdict is extra information", () => {
    // 25 calls: the oldest 5 failed, then 4 of the last 20. Upstream: "Performance acceptable: 20.0%".
    store.trackLlmCalls(series(25, { end: end(), fails: (i) => i < 5 || (i >= 5 && i % 5 === 0) }));
    const verdict = router.recommendTierUpgrade('code-review', 'analysis');
    assert.equal(verdict.recentFailures, 4);
    assert.equal(verdict.upgrade, false);
    assert.equal(verdict.reason, 'Performance acceptable: 20.0% failure rate');
    assert.equal(verdict.confident, true, '9 of 25 failed: confidently above a healthy 15%');
  });

  it('parity: percentages round like Python\'s f"{x:.1%}" (ties to even on the binary value)', () => {
    assert.equal(pct(5 / 16), '31.2%');
    assert.equal(pct(1 / 16), '6.2%');
    assert.equal(pct(3 / 16), '18.8%');
    assert.equal(pct(0.0285), '2.9%');
    assert.equal(pct(3.2625), '326.2%');
    assert.equal(pct(0), '0.0%');
    assert.equal(pct(1), '100.0%');
  });

  it('parity: an average cost equal to maxCost is within it, whatever the float sums say', () => {
    store.trackLlmCalls(series(60, { end: end(), model: 'exact', cost: 0.007333 }));
    assert.equal(router.getBestModel({ workflow: 'code-review', stage: 'analysis', maxCost: 0.007333 }), 'exact');
    assert.notEqual(router.getBestModel({ workflow: 'code-review', stage: 'analysis', maxCost: 0.00733 }), 'exact');
  });

  it('parity: calls written in the same millisecond keep their written order for "the last 20"', () => {
    const ts = new Date(end().getTime() - 1000);
    // 40 calls in one millisecond: 20 successes, then 20 failures written last.
    store.trackLlmCalls(
      Array.from({ length: 40 }, (_, i) => ({
        workflow: 'code-review',
        stage: 'analysis',
        tier: 'cheap',
        model: 'claude-haiku-4-5',
        success: i < 20,
        ts,
        id: `same-ms-${i}`,
      })),
    );
    const verdict = router.recommendTierUpgrade('code-review', 'analysis');
    assert.equal(verdict.recentFailures, 20, 'the last 20 written are the last 20, whatever their ids hash to');
    assert.equal(verdict.reason, 'High failure rate: 100.0% (20/20 failed in recent calls)');
  });

  it("the recommendation knows an undeclared stage's tier from its latest call, even with too few calls for a verdict", () => {
    store.trackLlmCalls(series(4, { end: end(), tier: 'capable', model: 'claude-sonnet-5', cost: 0.004 }));
    const verdict = router.recommendTierUpgrade('code-review', 'analysis');
    assert.match(verdict.reason, /Insufficient data \(4 calls/);
    assert.equal(verdict.currentTier, 'capable');
    const r = recommendStage(router, 'code-review', 'analysis');
    assert.equal(r.currentTier, 'capable');
    assert.notEqual(r.change, 'unknown');
    assert.equal(r.judged, false, 'four calls are too few to judge');
  });

  it('parity: a stage named "all" can be queried', () => {
    store.trackLlmCalls(series(12, { end: end(), stage: 'all' }));
    store.trackLlmCalls(series(30, { end: end(), stage: 'other' }));
    assert.equal(router.getRoutingStats('code-review', { stage: 'all' }).totalCalls, 12);
    assert.equal(router.getRoutingStats('code-review').totalCalls, 42);
  });

  it('is confident only when the whole failure interval lies above the threshold', () => {
    store.trackLlmCalls(series(100, { end: end(), fails: (i) => i % 2 === 0 }));
    const verdict = router.recommendTierUpgrade('code-review', 'analysis');
    assert.equal(verdict.upgrade, true);
    assert.equal(verdict.confident, true);
    assert.ok(verdict.interval.low > 0.2);
  });

  it('seed: the cheaper of two perfect models wins', () => {
    store.trackLlmCalls(series(20, { end: end(), model: 'pricey', cost: 0.02 }));
    store.trackLlmCalls(series(20, { end: end(), model: 'thrifty', cost: 0.001 }));
    assert.equal(router.getBestModel({ workflow: 'code-review', stage: 'analysis' }), 'thrifty');
  });

  it('maxCost, maxLatencyMs and minSuccessRate each exclude the model they should', () => {
    store.trackLlmCalls(series(20, { end: end(), model: 'cheap-slow', cost: 0.001, durationMs: 9000 }));
    store.trackLlmCalls(series(20, { end: end(), model: 'cheap-flaky', cost: 0.0005, durationMs: 500, fails: (i) => i % 4 === 0 }));
    store.trackLlmCalls(series(20, { end: end(), model: 'fast-dear', cost: 0.05, durationMs: 400 }));
    const q = { workflow: 'code-review', stage: 'analysis' };
    assert.equal(router.getBestModel({ ...q, minSuccessRate: 0.7 }), 'cheap-flaky');
    assert.equal(router.getBestModel({ ...q, minSuccessRate: 0.9 }), 'cheap-slow', 'minSuccessRate drops the flaky one');
    assert.equal(router.getBestModel({ ...q, minSuccessRate: 0.9, maxLatencyMs: 1000 }), 'fast-dear', 'maxLatencyMs drops the slow one');
    assert.equal(
      router.getBestModel({ ...q, minSuccessRate: 0.9, maxLatencyMs: 1000, maxCost: 0.01 }),
      'claude-haiku-4-5',
      'maxCost drops the dear one: registry cheap model',
    );
  });

  it('needs minSampleSize calls and only counts the last `days`', () => {
    store.trackLlmCalls(series(9, { end: end(), model: 'young' }));
    store.trackLlmCalls(series(30, { end: new Date(clock.now().getTime() - 8 * 86_400_000), model: 'old', cost: 0.0001 }));
    assert.equal(router.getBestModel({ workflow: 'code-review', stage: 'analysis' }), 'claude-haiku-4-5');
    assert.equal(router.getRoutingStats('code-review').totalCalls, 9);
    assert.equal(router.getRoutingStats('code-review', { days: 30 }).totalCalls, 39);
  });

  it('falls back to the registry cheap model, which the registry (and its env override) decides', () => {
    assert.equal(router.getBestModel({ workflow: 'none', stage: 'x' }), 'claude-haiku-4-5');
    const custom = new AdaptiveModelRouter(store, { registry: new ModelRegistry(undefined, { ATTUNE_MODEL_CHEAP: 'my-small-model' }) });
    assert.equal(custom.getBestModel({ workflow: 'none', stage: 'x' }), 'my-small-model');
  });

  it('getRoutingStats has the seed shape, with zeros when empty', () => {
    const empty = router.getRoutingStats('nothing');
    assert.deepEqual(empty, {
      workflow: 'nothing',
      stage: 'all',
      daysAnalyzed: 7,
      modelsUsed: [],
      performanceByModel: {},
      totalCalls: 0,
      avgCost: 0,
      avgSuccessRate: 0,
      spend: { reported: 0, reportedCalls: 0, reportedSqSum: 0, estimated: 0, estimatedCalls: 0, unknownCalls: 0 },
    });
    store.trackLlmCalls(series(10, { end: end(), model: 'b-model', cost: 0.002, durationMs: 100, fails: (i) => i < 2 }));
    store.trackLlmCalls(series(10, { end: end(), model: 'a-model', cost: 0.004, durationMs: 300, stage: 'summary' }));
    const stats = router.getRoutingStats('code-review');
    assert.deepEqual(stats.modelsUsed, ['a-model', 'b-model']);
    assert.equal(stats.totalCalls, 20);
    assert.ok(Math.abs((stats.avgCost ?? 0) - 0.003) < 1e-12);
    assert.equal(stats.avgSuccessRate, 0.9);
    const b = stats.performanceByModel['b-model'];
    assert.equal(b.calls, 10);
    assert.equal(b.successRate, 0.8);
    assert.equal(b.avgLatencyMs, 100);
    assert.equal(b.p95LatencyMs, 100);
    assert.ok(Math.abs((b.costPerSuccess ?? 0) - 0.0025) < 1e-12);
    assert.equal(router.getRoutingStats('code-review', { stage: 'summary' }).totalCalls, 10);
  });

  it('p95 latency is the nearest-rank 95th percentile', () => {
    const calls = series(20, { end: end() }).map((c, i) => ({ ...c, durationMs: (i + 1) * 10 }));
    store.trackLlmCalls(calls);
    assert.equal(router.getRoutingStats('code-review').performanceByModel['claude-haiku-3.5'].p95LatencyMs, 190);
  });

  it('costs fall back to registry prices and token counts, and stay unknown without either', () => {
    store.trackLlmCalls(series(10, { end: end(), model: 'claude-sonnet-5', cost: null, tokens: { input: 1000, output: 100 } }));
    store.trackLlmCalls(series(10, { end: end(), model: 'mystery', cost: null, tokens: null }));
    const stats = router.getRoutingStats('code-review');
    // The catalogue's sonnet 5: $2 input, $10 output per million: 1,000 x 2 + 100 x 10 = $0.003 a call.
    assert.ok(Math.abs((stats.performanceByModel['claude-sonnet-5'].avgCost ?? 0) - 0.003) < 1e-12);
    assert.equal(stats.performanceByModel['mystery'].avgCost, null);
  });

  describe('route()', () => {
    const q = { workflow: 'code-review', stage: 'analysis' };
    function decide(r: AdaptiveModelRouter, n: number, query: Parameters<AdaptiveModelRouter['route']>[0] = q) {
      const counts: Record<string, number> = {};
      let last!: ReturnType<AdaptiveModelRouter['route']>;
      for (let i = 0; i < n; i++) {
        last = r.route(query);
        counts[last.model] = (counts[last.model] ?? 0) + 1;
      }
      return { counts, last };
    }
    const seeded = (opts: ConstructorParameters<typeof AdaptiveModelRouter>[1] = {}) => new AdaptiveModelRouter(store, { random: seededRandom(11), ...opts });

    it('starts a stage without history somewhere and says so', () => {
      const decision = seeded().route(q);
      assert.match(decision.reason, /No calls for this stage yet/);
      assert.ok(['claude-haiku-4-5', 'claude-sonnet-5', 'claude-fable-5'].includes(decision.model));
    });

    it('keeps a healthy stage on the cheap model, exploring at most about its budget', () => {
      store.trackLlmCalls(series(80, { end: end(), model: 'claude-haiku-4-5', cost: 0.001, fails: (i) => i % 20 === 0 }));
      const { counts, last } = decide(seeded(), 400);
      assert.ok(counts['claude-haiku-4-5'] >= 0.88 * 400, JSON.stringify(counts));
      assert.equal(last.target, 0.8);
      assert.match(
        decide(seeded({ explorationBudget: 0 }), 50).last.reason,
        /claude-haiku-4-5 is the cheapest model likely to meet the 80.0% target \(estimated 9\d\.\d%, 90% interval/,
      );
      assert.equal(decide(seeded({ explorationBudget: 0 }), 200).counts['claude-haiku-4-5'], 200, 'no exploration without a budget');
    });

    it('moves a stage whose cheap model fails to the cheapest model that meets the target', () => {
      store.trackLlmCalls(series(60, { end: end(), model: 'claude-haiku-4-5', cost: 0.001, fails: (i) => i % 2 === 0 }));
      store.trackLlmCalls(series(30, { end: end(), model: 'claude-sonnet-5', cost: 0.004, fails: (i) => i % 15 === 0 }));
      const { counts } = decide(seeded(), 300);
      assert.ok(counts['claude-sonnet-5'] >= 0.85 * 300, JSON.stringify(counts));
    });

    it('serves a stage where no model meets the target with its most successful model, and says so', () => {
      store.trackLlmCalls(series(40, { end: end(), model: 'claude-haiku-4-5', cost: 0.001, fails: (i) => i % 5 < 3 }));
      store.trackLlmCalls(series(40, { end: end(), model: 'claude-sonnet-5', cost: 0.004, fails: (i) => i % 5 < 2 }));
      store.trackLlmCalls(series(40, { end: end(), model: 'claude-fable-5', cost: 0.02, fails: (i) => i % 10 < 3 }));
      const decision = seeded({ explorationBudget: 0 }).route(q);
      assert.equal(decision.model, 'claude-fable-5');
      assert.equal(decision.outOfReach, true);
      assert.match(decision.reason, /No model reaches the 80.0% target here; using the one likeliest to come closest, claude-fable-5/);
    });

    it('aims a point above the target: a model measured right at it is not settled on', () => {
      // haiku 80% of 500 (every fifth call fails) against the 80% target; sonnet 95% of 200.
      store.trackLlmCalls(series(500, { end: end(), model: 'claude-haiku-4-5', cost: 0.001, fails: (i) => i % 5 === 0 }));
      store.trackLlmCalls(series(200, { end: end(), model: 'claude-sonnet-5', cost: 0.004, fails: (i) => i % 20 === 0 }));
      assert.equal(seeded({ explorationBudget: 0 }).route(q, { explore: false }).model, 'claude-sonnet-5');
      assert.equal(seeded({ explorationBudget: 0, learning: { targetMargin: 0 } }).route(q, { explore: false }).model, 'claude-haiku-4-5');
      assert.equal(
        seeded({ explorationBudget: 0 }).route({ ...q, minSuccessRate: 0.78 }, { explore: false }).model,
        'claude-haiku-4-5',
        '2 points above a 78% target',
      );
    });

    it('treats maxCost and maxLatencyMs as hard limits unless nothing else is left', () => {
      store.trackLlmCalls(series(40, { end: end(), model: 'claude-haiku-4-5', cost: 0.001, durationMs: 9000, fails: (i) => i % 2 === 0 }));
      store.trackLlmCalls(series(40, { end: end(), model: 'claude-sonnet-5', cost: 0.004, durationMs: 2000 }));
      store.trackLlmCalls(series(40, { end: end(), model: 'claude-fable-5', cost: 0.02, durationMs: 1000 }));
      const r = seeded({ explorationBudget: 0 });
      assert.equal(r.route({ ...q, maxLatencyMs: 1500 }).model, 'claude-fable-5');
      const relaxed = r.route({ ...q, maxLatencyMs: 1500, maxCost: 0.002 });
      assert.match(relaxed.reason, /Fallback: no model meets the cost or latency limit/);
      const decision = r.route({ ...q, maxCost: 0.003 });
      assert.notEqual(decision.model, 'claude-sonnet-5');
      assert.ok(decision.alternatives.find((a) => a.model === 'claude-fable-5')?.excludedBy?.startsWith('cost'));
    });

    it('leaves a model that degrades within a few calls', () => {
      store.trackLlmCalls(series(120, { end: new Date(end().getTime() - 10 * 60_000), model: 'claude-haiku-4-5', cost: 0.001, fails: (i) => i % 25 === 0 }));
      store.trackLlmCalls(series(30, { end: new Date(end().getTime() - 200 * 60_000), model: 'claude-sonnet-5', cost: 0.004 }));
      const r = seeded({ explorationBudget: 0 });
      assert.equal(r.route(q).model, 'claude-haiku-4-5');
      let sentAfterDrop = 0;
      for (let i = 0; i < 30 && r.route(q).model === 'claude-haiku-4-5'; i++) {
        store.trackLlmCall({
          ...q,
          model: 'claude-haiku-4-5',
          tier: 'cheap',
          cost: 0.001,
          success: i % 2 === 1,
          ts: new Date(end().getTime() - (9 - i / 4) * 60_000),
        });
        sentAfterDrop++;
      }
      assert.ok(sentAfterDrop <= 10, `left after ${sentAfterDrop} calls`);
      assert.match(r.route(q).reason, /claude-haiku-4-5 degraded recently/);
    });

    it('borrows as much as the other stages agree (empirical Bayes strength)', () => {
      const alike = empiricalBayesPrior(
        [
          { calls: 50, successes: 45 },
          { calls: 50, successes: 45 },
          { calls: 50, successes: 46 },
        ],
        4,
      );
      assert.equal(alike.strength, 4, 'similar stages: the full strength');
      assert.ok(Math.abs(alike.mean - 137 / 152) < 1e-12);
      const unlike = empiricalBayesPrior(
        [
          { calls: 50, successes: 50 },
          { calls: 50, successes: 25 },
          { calls: 50, successes: 0 },
        ],
        4,
      );
      // mean 76/152 = 0.5; spread 1/3 (0.25 + 0 + 0.25) = 0.1667, noise 0.005: strength 0.25 / 0.1617 - 1 = 0.546
      assert.ok(Math.abs(unlike.strength - 0.546) < 0.01, String(unlike.strength));
      assert.deepEqual(empiricalBayesPrior([], 4), { mean: 0.5, strength: 0 });
    });

    it("tries every model of a tier, not only the tier's first (a registry may list several)", () => {
      const registry = new ModelRegistry(
        {
          models: [
            { id: 'cheap-a', tier: 'cheap', inputPer1M: 1, outputPer1M: 1 },
            { id: 'cheap-b', tier: 'cheap', inputPer1M: 1.1, outputPer1M: 1.1 },
            { id: 'dear', tier: 'premium', inputPer1M: 20, outputPer1M: 20 },
          ],
        },
        {},
      );
      store.trackLlmCalls(series(20, { end: end(), model: 'cheap-a', tier: 'cheap', cost: 0.001, fails: (i) => i % 2 === 0 }));
      store.trackLlmCalls(series(100, { end: end(), model: 'dear', tier: 'premium', cost: 0.02 }));
      const r = new AdaptiveModelRouter(store, { registry, random: seededRandom(5) });
      // cheap-a has shown it falls short; cheap-b is untried, so it gets its chance before the premium
      // model (the stage, at 110 of 120, is well above its target: it can afford the try).
      const guess = r.route(q, { explore: false });
      assert.equal(guess.model, 'cheap-b');
      assert.match(guess.reason, /cheap-b may still meet the 80.0% target \(no calls here yet\); cheaper models fell short \(cheap-a 50\.\d%, n=20\)$/);
      const { counts } = decide(r, 200);
      assert.ok((counts['cheap-b'] ?? 0) >= 160, JSON.stringify(counts));
      assert.ok((counts['dear'] ?? 0) <= 30, `the proven premium model is explored within the budget: ${JSON.stringify(counts)}`);
    });

    it("prices an untried model from the stage's known costs when its calls carry no token counts", () => {
      const registry = new ModelRegistry(
        {
          models: [
            { id: 'small', tier: 'cheap', inputPer1M: 1, outputPer1M: 5 },
            { id: 'large', tier: 'premium', inputPer1M: 10, outputPer1M: 50 },
          ],
        },
        {},
      );
      // Long agentic calls: $0.05 each on the small model, far above its list price on typical token counts.
      store.trackLlmCalls(series(30, { end: end(), model: 'small', tier: 'cheap', cost: 0.05, tokens: undefined }));
      const decision = new AdaptiveModelRouter(store, { registry, random: seededRandom(2) }).route(q, { explore: false });
      const small = registry.estimateCost('small', 1000, 300)!;
      const large = decision.alternatives.find((a) => a.model === 'large')!;
      assert.ok(Math.abs(large.avgCost! - registry.estimateCost('large', 1000, 300)! * (0.05 / small)) < 1e-12, String(large.avgCost));
      assert.ok(Math.abs(large.avgCost! - 0.5) < 1e-9, 'ten times the small model, as the list prices say');
    });

    it("lets a new stage borrow the tier record of the workflow's other stages", () => {
      store.trackLlmCalls(series(50, { end: end(), stage: 'summary', model: 'claude-haiku-4-5', fails: (i) => i % 5 !== 0 }));
      const fresh = seeded().route({ workflow: 'code-review', stage: 'brand-new' });
      const cheap = fresh.alternatives.find((a) => a.model === 'claude-haiku-4-5')!;
      // One other stage: prior mean (10 + 1) / (50 + 2) = 0.2115 at strength 1 (a quarter of the cap of 4):
      // Beta(1 + 0.2115, 1 + 0.7885) has mean 1.2115 / 3 = 0.4038 (hand-computed).
      assert.ok(Math.abs(cheap.successRate - 0.4038) < 1e-3, String(cheap.successRate));
      // No record of its own: the uniform prior's 0.5, raised by the belief that a capable model does at
      // least as well as the cheap one (tierOrder.ts), but not above what that alone can say.
      const capable = fresh.alternatives.find((a) => a.model === 'claude-fable-5')!.successRate;
      assert.ok(capable > 0.5 && capable < 0.75, String(capable));
    });
  });

  it('route() reuses what it learned only while the stage has no new call: each tracked call is counted by the next decision', () => {
    store.trackLlmCalls(series(30, { end: end() }));
    const calls = () => router.route({ workflow: 'code-review', stage: 'analysis' }).alternatives.find((a) => a.model === 'claude-haiku-3.5')!.calls;
    assert.equal(calls(), 30);
    assert.equal(calls(), 30);
    for (let n = 31; n <= 33; n++) {
      store.trackLlmCall({ workflow: 'code-review', stage: 'analysis', model: 'claude-haiku-3.5', tier: 'cheap', ts: clock.now() });
      assert.equal(calls(), n);
    }
  });

  it("route() keeps what it learned on a stage whose history reaches back past the window, and drops the calls the window's start passes", () => {
    // Ten calls 8 days ago (outside the 7-day window), ten 5 days ago and ten an hour ago: the
    // stage's cached history holds all thirty, the window twenty.
    const ago = (days: number) => new Date(clock.now().getTime() - days * 86_400_000);
    store.trackLlmCalls(series(10, { end: ago(8), fails: () => true }));
    store.trackLlmCalls(series(10, { end: ago(5) }));
    store.trackLlmCalls(series(10, { end: ago(1 / 24) }));
    const kept = new AdaptiveModelRouter(store, { random: seededRandom(3) });
    const freshRandom = seededRandom(3);
    const fresh = () => new AdaptiveModelRouter(store, { random: freshRandom }); // keeps nothing
    const query = { workflow: 'code-review', stage: 'analysis' };
    const haiku = (d: ReturnType<AdaptiveModelRouter['route']>) => d.alternatives.find((a) => a.model === 'claude-haiku-3.5')!;
    for (let i = 0; i < 3; i++) {
      const a = kept.route(query);
      assert.deepEqual(a, fresh().route(query));
      assert.equal(haiku(a).calls, 20);
    }
    clock.advance(2.1 * 86_400_000); // the window's start passes the ten of 5 days ago; no new call
    const after = kept.route(query);
    assert.deepEqual(after, fresh().route(query));
    assert.equal(haiku(after).calls, 10);
  });

  it("route() keeps a stage's assessment between its calls: every decision is the one a router without it makes", () => {
    // A stage whose best guess is not every draw's pick, so exploration (and its budget) is exercised.
    store.trackLlmCalls(series(40, { end: end(), fails: (i) => i % 4 === 0 }));
    store.trackLlmCalls(series(15, { end: end(), model: 'claude-sonnet-4-5', tier: 'capable', fails: (i) => i % 8 === 0 }));
    const kept = new AdaptiveModelRouter(store, { random: seededRandom(5) });
    const freshRandom = seededRandom(5);
    const fresh = () => new AdaptiveModelRouter(store, { random: freshRandom }); // a new router per decision keeps nothing
    // Targets and limits that change between decisions: what a kept assessment (or kept arms) was
    // worked out for must be asked again when they change.
    const limits = [{}, {}, {}, { maxCost: 0.0005 }, { maxCost: 0.0005 }, {}, { maxLatencyMs: 1000 }, {}];
    const queries = [0.8, 0.8, 0.9, 0.9, 0.8, 0.7, 0.8, 0.8].map((minSuccessRate, i) => ({
      workflow: 'code-review',
      stage: 'analysis',
      minSuccessRate,
      ...limits[i],
    }));
    const picks = new Set<string>();
    for (const [i, query] of queries.entries()) {
      for (let draw = 0; draw < 20; draw++) {
        const a = kept.route(query);
        const b = fresh().route(query);
        assert.deepEqual(a, b, `query ${i}, draw ${draw}`);
        picks.add(a.model);
      }
      if (i === 3)
        store.trackLlmCall({ workflow: 'code-review', stage: 'analysis', model: 'claude-haiku-3.5', tier: 'cheap', success: false, ts: clock.now() });
    }
    assert.ok(picks.size >= 2, `exploration happened (picked ${[...picks].join(', ')})`);
    assert.ok(
      kept.route(queries[3]).alternatives.every((a) => a.excludedBy),
      `the cost limit rules out every model: ${JSON.stringify(kept.route(queries[3]).alternatives.map((a) => [a.model, a.avgCost, a.excludedBy]))}`,
    );
    assert.ok(
      kept.route(queries[5]).alternatives.every((a) => !a.excludedBy),
      'and is gone once the query drops it',
    );
  });

  it('prepare() works out the first decision of each stage held in memory ahead, in slices, and changes no decision', async () => {
    store.trackLlmCalls(series(30, { end: end(), fails: (i) => i % 5 === 0 }));
    store.trackLlmCalls(series(30, { end: end(), stage: 'summary' }));
    store.trackLlmCalls(series(30, { end: end(), workflow: 'test-generation', stage: 'generate', fails: (i) => i % 3 === 0 }));
    for (const [workflow, stage] of [
      ['code-review', 'analysis'],
      ['code-review', 'summary'],
      ['test-generation', 'generate'],
    ])
      store.recentStageCalls(workflow, stage, 1000); // as the store's background read after opening does
    assert.equal(store.cachedStages().length, 3);
    const prepared = new AdaptiveModelRouter(store, { random: seededRandom(9) });
    const asked: string[] = [];
    let timerFired = false;
    setTimeout(() => (timerFired = true), 0);
    const count = await prepared.prepare({ sliceMs: 0, queryFor: (workflow, stage) => (asked.push(`${workflow}/${stage}`), { minSuccessRate: 0.9 }) });
    assert.equal(count, 3);
    assert.deepEqual(asked.sort(), ['code-review/analysis', 'code-review/summary', 'test-generation/generate']);
    assert.ok(timerFired, 'the event loop ran between slices');
    const plain = new AdaptiveModelRouter(store, { random: seededRandom(9) });
    for (const stage of ['analysis', 'summary'])
      assert.deepEqual(
        prepared.route({ workflow: 'code-review', stage, minSuccessRate: 0.9 }),
        plain.route({ workflow: 'code-review', stage, minSuccessRate: 0.9 }),
      );
    const refused = await prepared.prepare({ queryFor: () => ({ minSuccessRate: 2 }) });
    assert.equal(refused, 0, 'a query its decisions would refuse prepares nothing, and does not throw');
  });

  it('route() keeps the declared tier of a workflow whose adaptive routing is off', () => {
    store.trackLlmCalls(series(30, { end: end(), fails: () => true }));
    const off = new AdaptiveModelRouter(store, { disabledWorkflows: ['code-review'] });
    const decision = off.route({ workflow: 'code-review', stage: 'analysis', tier: 'CHEAP' });
    assert.equal(decision.model, 'claude-haiku-4-5');
    assert.equal(decision.adaptive, false);
  });

  it('a workflow whose routing is off gets its declared tier, said so in every field', () => {
    const off = new AdaptiveModelRouter(store, { disabledWorkflows: ['code-review'] });
    assert.equal(
      off.route({ workflow: 'code-review', stage: 'analysis' }).reason,
      'Adaptive routing is off for code-review: using the cheap tier (no tier is declared for this stage)',
      'nothing declared: not called "declared"',
    );
    assert.deepEqual(off.route({ workflow: 'code-review', stage: 'analysis', tier: 'capable', minSuccessRate: 0.9 }), {
      model: new ModelRegistry().modelForTier('capable'),
      tier: 'capable',
      reason: 'Adaptive routing is off for code-review: using the declared capable tier',
      explored: false,
      adaptive: false,
      outOfReach: false,
      fallback: false,
      limitsRelaxed: false,
      successRate: null,
      interval: null,
      sampleSize: 0,
      target: 0.9,
      alternatives: [],
    });
    assert.equal(off.route({ workflow: 'code-review', stage: 'analysis' }).tier, 'cheap', 'no declared tier: cheap');
  });

  it("a stage without calls and a declared tier: the recommendation is the declared tier's model, said to be a default", () => {
    const capable = new ModelRegistry().modelForTier('capable');
    const guess = router.route({ workflow: 'new-flow', stage: 'plan', tier: 'capable' }, { explore: false });
    assert.equal(guess.model, capable);
    assert.equal(guess.tier, 'capable');
    assert.equal(
      guess.reason,
      `No calls for this stage yet, so this is a default: ${capable}, the declared capable tier's model, until there are calls to learn from`,
    );
    assert.equal(guess.fallback, true);
    const undeclared = router.route({ workflow: 'new-flow', stage: 'plan' }, { explore: false });
    assert.doesNotMatch(undeclared.reason, /declared/, "without a declared tier it is the learner's own guess");
    store.trackLlmCalls(series(5, { end: end(), workflow: 'new-flow', stage: 'plan' }));
    assert.doesNotMatch(
      router.route({ workflow: 'new-flow', stage: 'plan', tier: 'capable' }, { explore: false }).reason,
      /default/,
      'once there are calls, they decide',
    );
  });

  it('a full stage history that moves keeps its length: the decision still counts the newest call', () => {
    store.trackLlmCalls(series(1000, { end: end() }));
    const rate = () => router.route({ workflow: 'code-review', stage: 'analysis' }, { explore: false }).successRate!;
    const before = rate();
    for (let i = 0; i < 5; i++)
      store.trackLlmCall({ workflow: 'code-review', stage: 'analysis', model: 'claude-haiku-3.5', tier: 'cheap', success: false, ts: clock.now() });
    assert.ok(rate() < before, `5 new failures lower the rate: ${rate()} vs ${before}`);
  });

  it('names the option that is out of range, and its range', () => {
    assert.throws(() => new AdaptiveModelRouter(store, { days: -1 }), { message: 'days must be a number between 0 and 1000000, got -1' });
    assert.throws(() => new AdaptiveModelRouter(store, { recentWindowSize: 0 }), /^RangeError: recentWindowSize must be a number between/);
    assert.throws(() => new AdaptiveModelRouter(store, { explorationBudget: 2 }), /^RangeError: explorationBudget must be/);
    assert.throws(() => new AdaptiveModelRouter(store, { halfLife: 0 }), /^RangeError: halfLife must be/);
    assert.throws(() => router.route({ workflow: 'w', minSuccessRate: 1.5 }), { message: 'minSuccessRate must be a number between 0 and 1, got 1.5' });
  });

  it('statistics leave latency percentiles out when asked, and cost per success is unknown without a success', () => {
    store.trackLlmCalls(series(20, { end: end(), model: 'b-model', fails: () => true }));
    store.trackLlmCalls(series(20, { end: end(), model: 'a-model' }));
    const stats = router.getRoutingStats('code-review', { latencyPercentiles: false });
    assert.deepEqual(stats.modelsUsed, ['a-model', 'b-model']);
    assert.equal(stats.performanceByModel['b-model'].costPerSuccess, null);
    assert.ok(Object.values(stats.performanceByModel).every((p) => p.p95LatencyMs == null));
    assert.ok(Object.values(router.getRoutingStats('code-review').performanceByModel).every((p) => p.p95LatencyMs === 1200));
  });

  it('best-model says a cost limit rules out a model whose cost is unknown', () => {
    store.trackLlmCalls(series(30, { end: end(), cost: undefined }));
    assert.equal(router.getBestModel({ workflow: 'code-review', stage: 'analysis', maxCost: 0.01 }), new ModelRegistry().cheapModel());
    assert.equal(router.getBestModel({ workflow: 'code-review', stage: 'analysis' }), 'claude-haiku-3.5');
  });

  it("prices an untried model on the stage's own token counts, scaled by how its known costs compare with list prices", () => {
    const registry = new ModelRegistry();
    const [cheap, capable] = [registry.modelForTier('cheap')!, registry.modelForTier('capable')!];
    const priced = new AdaptiveModelRouter(store, { registry });
    const costOf = (model: string, stage: string) =>
      priced.route({ workflow: 'w', stage }, { explore: false }).alternatives.find((a) => a.model === model)!.avgCost!;
    const near = (a: number, b: number) => Math.abs(a - b) < 1e-12 * Math.max(1, Math.abs(b));
    // Stage "listed": calls of the cheap model at twice its list price for 2000 in / 400 out tokens.
    const list = registry.estimateCost(cheap, 2000, 400)!;
    store.trackLlmCalls(series(10, { end: end(), workflow: 'w', stage: 'listed', model: cheap, cost: 2 * list, tokens: { input: 2000, output: 400 } }));
    assert.ok(near(costOf(capable, 'listed'), 2 * registry.estimateCost(capable, 2000, 400)!), 'the same tokens, the same scale');
    // Output tokens alone still count as the stage's size.
    store.trackLlmCalls(series(10, { end: end(), workflow: 'w', stage: 'output-only', model: cheap, cost: undefined, tokens: { output: 800 } as never }));
    assert.ok(near(costOf(capable, 'output-only'), registry.estimateCost(capable, 0, 800)!));
    // No tokens and no costs: typical sizes (1000 in, 500 out) at list price.
    store.trackLlmCalls(series(10, { end: end(), workflow: 'w', stage: 'bare', model: cheap, cost: undefined, tokens: undefined }));
    assert.ok(near(costOf(capable, 'bare'), registry.estimateCost(capable, 1000, 500)!));
  });

  it('refuses nonsensical options with a clear message', () => {
    assert.throws(() => new AdaptiveModelRouter(store, { failureRateThreshold: 2 }), /failureRateThreshold/);
    assert.throws(() => new AdaptiveModelRouter(store, { minSampleSize: -1 }), /minSampleSize/);
  });
});
