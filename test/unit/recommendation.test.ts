import { strict as assert } from 'assert';
import { AdaptiveModelRouter, TelemetryStore, openTelemetry, recommendStage } from '../../src/core';
import { failureEvidence } from '../../src/core/stats/failureEvidence';
import { fixedClock, series } from './helpers';

describe('recommendStage: the one answer, its direction and its evidence', () => {
  const clock = fixedClock();
  let store: TelemetryStore;
  let router: AdaptiveModelRouter;
  const end = () => new Date(clock.now().getTime() - 60_000);
  beforeEach(async () => {
    store = await openTelemetry({ now: clock.now });
    router = new AdaptiveModelRouter(store);
  });
  afterEach(() => store.close());

  function failingCheapStage(stage = 'analysis', cheapCalls = 30): void {
    // cheap fails 40% of its calls, capable succeeds 95%.
    store.trackLlmCalls(series(cheapCalls, { end: end(), stage, model: 'claude-haiku-4-5', tier: 'cheap', fails: (i) => i % 5 < 2 }));
    store.trackLlmCalls(series(40, { end: end(), stage, model: 'claude-sonnet-5', tier: 'capable', fails: (i) => i % 20 === 0 }));
  }

  it("an upgrade: the declared tier's calls here are the evidence, confident when they clearly fail the target", () => {
    failingCheapStage();
    const r = recommendStage(router, 'code-review', 'analysis', { tier: 'CHEAP' });
    assert.equal(r.model, 'claude-sonnet-5');
    assert.deepEqual([r.currentTier, r.tier, r.change, r.judged, r.fallback, r.calls], ['cheap', 'capable', 'upgrade', true, false, 70]);
    assert.deepEqual(r.evidence, failureEvidence(12, 30, 1 - 0.8), 'only the cheap calls: 12 of 30 failed');
    assert.equal(r.confident, r.evidence!.confident);
    assert.equal(r.confident, true);
    assert.equal(r.decision.target, 0.8);
    // The latest call's tier stands in for an undeclared one.
    const undeclared = recommendStage(router, 'code-review', 'analysis');
    assert.equal(undeclared.currentTier, 'capable', 'the latest calls were capable');
    assert.equal(undeclared.change, 'keep');
    assert.deepEqual(undeclared.evidence, failureEvidence(2, 40, 1 - 0.8));
    assert.equal(undeclared.confident, false, 'a kept tier is never a confident upgrade');
  });

  it('a downgrade, a kept tier, and a stage whose tier nobody knows', () => {
    failingCheapStage();
    const down = recommendStage(router, 'code-review', 'analysis', { tier: 'premium' });
    assert.deepEqual([down.change, down.currentTier, down.confident], ['downgrade', 'premium', false]);
    assert.equal(down.evidence, null, 'no premium calls here');
    const kept = recommendStage(router, 'code-review', 'analysis', { tier: 'capable' });
    assert.equal(kept.change, 'keep');
    store.trackLlmCalls(series(30, { end: end(), stage: 'untiered', model: 'custom-model', tier: null }));
    const unknown = recommendStage(router, 'code-review', 'untiered');
    assert.deepEqual([unknown.currentTier, unknown.change, unknown.evidence], [null, 'unknown', null]);
  });

  it("the stage's own targets steer it; unset targets leave the defaults", () => {
    failingCheapStage();
    assert.equal(recommendStage(router, 'code-review', 'analysis', { minSuccessRate: 0.5, tier: 'cheap' }).decision.target, 0.5);
    assert.equal(recommendStage(router, 'code-review', 'analysis', { minSuccessRate: undefined, maxCost: undefined }).decision.target, 0.8);
    const capped = recommendStage(router, 'code-review', 'analysis', { tier: 'cheap', maxCost: 1e-9 });
    assert.equal(capped.fallback, true, 'every model breaks the cost limit');
    assert.deepEqual([capped.change, capped.judged], ['keep', false]);
  });

  it('no calls: a default, kept and not judged; judged from the minimum sample on', () => {
    const none = recommendStage(router, 'code-review', 'empty', { tier: 'cheap' });
    assert.deepEqual([none.fallback, none.change, none.judged, none.calls, none.evidence, none.confident], [true, 'keep', false, 0, null, false]);
    store.trackLlmCalls(series(9, { end: end(), stage: 'few', model: 'claude-haiku-4-5', tier: 'cheap' }));
    assert.equal(recommendStage(router, 'code-review', 'few', { tier: 'cheap' }).judged, false, '9 calls');
    store.trackLlmCalls(series(1, { end: new Date(end().getTime() - 3_600_000), stage: 'few', model: 'claude-haiku-4-5', tier: 'cheap' }));
    assert.equal(recommendStage(router, 'code-review', 'few', { tier: 'cheap' }).judged, true, '10 calls: the minimum sample');
  });

  it('a workflow with adaptive routing off keeps its declared tier', () => {
    failingCheapStage();
    const off = new AdaptiveModelRouter(store, { disabledWorkflows: ['code-review'] });
    const r = recommendStage(off, 'code-review', 'analysis', { tier: 'cheap' });
    assert.deepEqual([r.adaptive, r.change, r.confident, r.tier], [false, 'keep', false, 'cheap']);
  });
});
