import { strict as assert } from 'assert';
import { AdaptiveModelRouter, TelemetryStore, openTelemetryStore, recommendStage } from '../../src/core';
import { verdictText } from '../../src/core/routing/recommendation';
import { failureEvidence } from '../../src/core/stats/failureEvidence';
import { fixedClock, series } from './helpers';

describe('recommendStage: the one answer, its direction and its evidence', () => {
  const clock = fixedClock();
  let store: TelemetryStore;
  let router: AdaptiveModelRouter;
  const end = () => new Date(clock.now().getTime() - 60_000);
  beforeEach(async () => {
    store = await openTelemetryStore({ now: clock.now });
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
    assert.deepEqual([r.verdict, verdictText(r)], ['upgrade', 'upgrade CHEAP → CAPABLE']);
    assert.deepEqual(r.evidence, failureEvidence(12, 30, 1 - 0.8), 'only the cheap calls: 12 of 30 failed');
    assert.equal(r.confident, r.evidence!.confident);
    assert.equal(r.confident, true);
    assert.equal(r.decision.target, 0.8);
    // The latest call's tier stands in for an undeclared one.
    const undeclared = recommendStage(router, 'code-review', 'analysis');
    assert.equal(undeclared.currentTier, 'capable', 'the latest calls were capable');
    assert.deepEqual([undeclared.change, undeclared.verdict, verdictText(undeclared)], ['keep', 'keep', 'keeps its tier']);
    assert.deepEqual(undeclared.evidence, failureEvidence(2, 40, 1 - 0.8));
    assert.equal(undeclared.confident, false, 'a kept tier is never a confident upgrade');
  });

  it('a downgrade, a kept tier, and a stage whose tier nobody knows', () => {
    failingCheapStage();
    const down = recommendStage(router, 'code-review', 'analysis', { tier: 'premium' });
    assert.deepEqual([down.change, down.verdict, down.currentTier, down.confident], ['downgrade', 'downgrade', 'premium', false]);
    assert.equal(verdictText(down), 'downgrade PREMIUM → CAPABLE');
    assert.equal(down.evidence, null, 'no premium calls here');
    const kept = recommendStage(router, 'code-review', 'analysis', { tier: 'capable' });
    assert.equal(kept.change, 'keep');
    store.trackLlmCalls(series(30, { end: end(), stage: 'untiered', model: 'custom-model', tier: null }));
    const unknown = recommendStage(router, 'code-review', 'untiered');
    assert.deepEqual([unknown.currentTier, unknown.change, unknown.evidence, unknown.verdict], [null, 'unknown', null, 'no-tier']);
    assert.equal(verdictText(unknown), 'no tier known');
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
    assert.deepEqual([none.verdict, verdictText(none)], ['thin-evidence', 'too few calls to judge']);
    store.trackLlmCalls(series(9, { end: end(), stage: 'few', model: 'claude-haiku-4-5', tier: 'cheap' }));
    const few = recommendStage(router, 'code-review', 'few', { tier: 'cheap' });
    assert.deepEqual([few.judged, few.verdict], [false, 'thin-evidence'], '9 calls');
    store.trackLlmCalls(series(1, { end: new Date(end().getTime() - 3_600_000), stage: 'few', model: 'claude-haiku-4-5', tier: 'cheap' }));
    const enough = recommendStage(router, 'code-review', 'few', { tier: 'cheap' });
    assert.deepEqual([enough.judged, enough.verdict], [true, 'keep'], '10 calls: the minimum sample');
  });

  it('out of reach: a verdict only on the minimum sample, ahead of the tier move it may still make', () => {
    // Every model of the registry fails half its calls: none reaches the 80% target.
    const models = [
      ['claude-haiku-4-5', 'cheap'],
      ['claude-sonnet-5', 'capable'],
      ['claude-fable-5', 'premium'],
      ['claude-opus-4-8', null],
    ] as const;
    const fiftyFifty = (stage: string, n: number) => {
      for (const [model, tier] of models) store.trackLlmCalls(series(n, { end: end(), stage, model, tier, fails: (i) => i % 2 === 0 }));
    };
    fiftyFifty('hard', 40);
    const hard = recommendStage(router, 'code-review', 'hard', { tier: 'cheap' });
    assert.deepEqual([hard.outOfReach, hard.judged, hard.verdict, verdictText(hard)], [true, true, 'out-of-reach', 'target out of reach']);
    fiftyFifty('thin', 2);
    const thin = recommendStage(router, 'code-review', 'thin', { tier: 'cheap' });
    assert.equal(thin.outOfReach, true, 'route() already finds no model likely to reach it');
    // 8 calls are too few to say so: the verdict is the tier move (or thin evidence), not "out of reach".
    assert.equal(thin.verdict, thin.change === 'upgrade' ? 'upgrade' : 'thin-evidence');
  });

  it('a workflow with adaptive routing off keeps its declared tier', () => {
    failingCheapStage();
    const off = new AdaptiveModelRouter(store, { disabledWorkflows: ['code-review'] });
    const r = recommendStage(off, 'code-review', 'analysis', { tier: 'cheap' });
    assert.deepEqual([r.adaptive, r.change, r.confident, r.tier, r.verdict], [false, 'keep', false, 'cheap', 'keep']);
  });
});
