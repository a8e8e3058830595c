import { strict as assert } from 'assert';
import { AdaptiveModelRouter, ModelRegistry, TelemetryStore, openTelemetry } from '../../src/core';
import { fixedClock, series } from './helpers';

describe('AdaptiveModelRouter', () => {
  const clock = fixedClock();
  let store: TelemetryStore;
  let router: AdaptiveModelRouter;
  beforeEach(async () => {
    store = await openTelemetry({ now: clock.now });
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
    // 6 of 25 failed overall: the interval reaches below 20%, so this is a hint, not a warning.
    assert.equal(verdict.confident, false);
    assert.ok(verdict.interval.low < 0.2 && verdict.interval.high > 0.3);
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
    assert.equal(router.getBestModel({ ...q, minSuccessRate: 0.9, maxLatencyMs: 1000, maxCost: 0.01 }), 'claude-haiku-4-5', 'maxCost drops the dear one: registry cheap model');
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
    assert.deepEqual(empty, { workflow: 'nothing', stage: 'all', daysAnalyzed: 7, modelsUsed: [], performanceByModel: {}, totalCalls: 0, avgCost: 0, avgSuccessRate: 0 });
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
    assert.ok(Math.abs((stats.performanceByModel['claude-sonnet-5'].avgCost ?? 0) - 0.0045) < 1e-12);
    assert.equal(stats.performanceByModel['mystery'].avgCost, null);
  });

  it('route() moves a failing stage up a tier and keeps a healthy one on the cheapest proven model', () => {
    store.trackLlmCalls(series(30, { end: end(), fails: (i) => i >= 20 && i % 2 === 0 }));
    const failing = router.route({ workflow: 'code-review', stage: 'analysis' });
    assert.equal(failing.tier, 'capable');
    assert.equal(failing.model, 'claude-sonnet-5');
    assert.match(failing.reason, /High failure rate/);
    store.trackLlmCalls(series(30, { end: end(), stage: 'summary', model: 'claude-haiku-4-5' }));
    const healthy = router.route({ workflow: 'code-review', stage: 'summary' });
    assert.equal(healthy.model, 'claude-haiku-4-5');
    assert.equal(healthy.tier, 'cheap');
    assert.equal(healthy.sampleSize, 30);
  });

  it('route() keeps the declared tier of a workflow whose adaptive routing is off', () => {
    store.trackLlmCalls(series(30, { end: end(), fails: () => true }));
    const off = new AdaptiveModelRouter(store, { disabledWorkflows: ['code-review'] });
    const decision = off.route({ workflow: 'code-review', stage: 'analysis', tier: 'CHEAP' });
    assert.equal(decision.model, 'claude-haiku-4-5');
    assert.equal(decision.adaptive, false);
  });

  it('refuses nonsensical options with a clear message', () => {
    assert.throws(() => new AdaptiveModelRouter(store, { failureRateThreshold: 2 }), /failureRateThreshold/);
    assert.throws(() => new AdaptiveModelRouter(store, { minSampleSize: -1 }), /minSampleSize/);
  });
});
