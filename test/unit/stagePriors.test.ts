import { strict as assert } from 'assert';
import { AdaptiveModelRouter, ModelRegistry, TelemetryStore, openTelemetryStore } from '../../src/core';
import type { ModelEvidence } from '../../src/core/routing/learningPolicy';
import { StageTierRecord, WorkflowPriors, empiricalBayesPrior, relativePrior, tierGap } from '../../src/core/routing/stagePriors';
import { DAY_MS } from '../../src/core/timeWindow';
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
      store = await openTelemetryStore({ now: clock.now });
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

describe('stage priors: exact values', () => {
  const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} vs ${expected}`);
  const pair = (arm: [number, number], reference: [number, number]) =>
    new Map<Tier, StageTierRecord>([
      ['cheap', { calls: arm[0], successes: arm[1] }],
      ['capable', { calls: reference[0], successes: reference[1] }],
    ]);

  it("tierGap: mean, between-stage variance net of noise plus the mean's own, over stages with at least 5 calls of each", () => {
    // Values from the formulas in Python: the stage with 5 calls each counts, the one with 4 does not.
    const stages = [
      pair([20, 10], [20, 19]),
      pair([40, 36], [40, 37]),
      pair([10, 3], [10, 9]),
      pair([5, 1], [5, 5]),
      pair([4, 4], [50, 50]),
      pair([50, 0], [4, 4]),
    ];
    const gap = tierGap(stages, 'cheap', 'capable')!;
    assert.equal(gap.stages, 4, 'stages with fewer than 5 calls of either tier are left out');
    near(gap.mean, -0.41627072114876995, 'mean');
    near(gap.variance, 0.07051344804641291, 'variance');
    // Stages that agree more closely than their noise: the between-stage part stops at its floor.
    const agreeing = tierGap([pair([20, 17], [20, 18]), pair([40, 35], [40, 37]), pair([10, 9], [10, 9])], 'cheap', 'capable')!;
    near(agreeing.mean, -0.03213317847464189, 'mean');
    near(agreeing.variance, 0.0027582477016629024, 'variance at the floor');
  });

  it('empiricalBayesPrior: moments over stages with at least 10 calls, and a quarter of the cap with fewer than three', () => {
    const prior = empiricalBayesPrior(
      [
        { calls: 10, successes: 5 },
        { calls: 20, successes: 16 },
        { calls: 30, successes: 27 },
        { calls: 9, successes: 0 },
      ],
      100,
    );
    near(prior.mean, 0.6901408450704225, 'mean (every stage counts for the mean)');
    near(prior.strength, 9.003711952487, 'strength (the 9-call stage is left out of the spread)');
    const thin = empiricalBayesPrior(
      [
        { calls: 10, successes: 5 },
        { calls: 20, successes: 16 },
        { calls: 9, successes: 0 },
      ],
      100,
    );
    near(thin.mean, 0.5365853658536586, 'mean');
    assert.equal(thin.strength, 25, 'two stages with 10 calls: a quarter of the cap');
  });

  it('relativePrior: strength = mean (1 - mean) / variance - 1', () => {
    const prior = relativePrior({ successes: 30, failures: 10 }, { mean: 0.05, variance: 0.004, stages: 3 }, 100);
    near(prior.mean, 0.7939024390243903, 'mean');
    near(prior.strength, 17.672290015444407, 'strength');
  });
});

describe("WorkflowPriors: what a stage borrows from the workflow's other stages", () => {
  const clock = fixedClock();
  const day = Math.floor(clock.now().getTime() / DAY_MS) * DAY_MS;
  const models: Array<[string, Tier]> = [
    ['claude-haiku-4-5', 'cheap'],
    ['claude-sonnet-5', 'capable'],
    ['claude-fable-5', 'premium'],
  ];
  // Failures per 10 calls on the other stages, by model: each tier's level varies from stage to
  // stage, the gaps between tiers hardly (cheap 40 points under premium, capable 20).
  const failuresPer10: Record<string, number[]> = { o1: [5, 3, 1], o2: [7, 5, 3], o3: [4, 2, 0] };
  let store: TelemetryStore;
  beforeEach(async () => (store = await openTelemetryStore({ now: clock.now })));
  afterEach(() => store.close());

  function record(calls: number, end: Date, tierOf: (tier: Tier) => Tier | null = (t) => t): Map<string, Map<Tier, StageTierRecord>> {
    const others = new Map<string, Map<Tier, StageTierRecord>>();
    for (const [name, fails] of Object.entries(failuresPer10)) {
      const tiers = new Map<Tier, StageTierRecord>();
      models.forEach(([model, tier], m) => {
        store.trackLlmCalls(series(calls, { end, workflow: 'w', stage: name, model, tier: tierOf(tier), fails: (i) => i % 10 < fails[m] }));
        tiers.set(tier, { calls, successes: calls - (calls / 10) * fails[m] });
      });
      others.set(name, tiers);
    }
    return others;
  }
  const evidence = (entries: Array<[string, Tier, number, number]>) =>
    new Map<string, ModelEvidence>(
      entries.map(([model, tier, successes, failures]) => [
        model,
        { model, tier, successes, failures, calls: successes + failures, avgLatencyMs: null, avgCost: null, changed: null },
      ]),
    );
  const arms = models.map(([model, tier]) => ({ model, tier }));

  it("each arm takes the stronger of its tier's record and the most-measured model of another tier plus the gap", () => {
    const others = record(40, new Date(day + 3_600_000));
    const priors = new WorkflowPriors(store, new ModelRegistry(), { priorStrength: 100, gapPriorStrength: 100 });
    // At this stage: a tierless model measured most (never a reference), then two premium models
    // (acme measured more, fable failing less), and a capable one tried five times.
    const here = evidence([
      ['claude-opus-4-8', null as unknown as Tier, 50, 50],
      ['acme-premium', 'premium', 54, 6],
      ['claude-fable-5', 'premium', 50, 0],
      ['claude-sonnet-5', 'capable', 3, 2],
    ]);
    const stageArms = [
      { model: 'claude-haiku-4-5', tier: 'cheap' as Tier },
      { model: 'claude-sonnet-5', tier: 'capable' as Tier },
      { model: 'acme-premium', tier: 'premium' as Tier },
      { model: 'claude-fable-5', tier: 'premium' as Tier },
      { model: 'claude-opus-4-8', tier: null },
    ];
    const got = priors.forArms('w', 's', 0, stageArms, here);
    const records = (tier: Tier) => [...others.values()].map((t) => t.get(tier)!);
    const absolute = (tier: Tier) => empiricalBayesPrior(records(tier), 100);
    const relative = (tier: Tier, reference: [number, number], referenceTier: Tier) =>
      relativePrior({ successes: reference[0], failures: reference[1] }, tierGap(others.values(), tier, referenceTier)!, 100);
    // Cheap and capable lean on acme (the most measured of another tier); the premium models on
    // sonnet (the only other tier measured), whose five calls make the gap weaker than premium's record.
    assert.deepEqual(got.get('claude-haiku-4-5'), relative('cheap', [54, 6], 'premium'));
    assert.ok(relative('cheap', [54, 6], 'premium').strength > absolute('cheap').strength);
    assert.deepEqual(got.get('claude-sonnet-5'), relative('capable', [54, 6], 'premium'));
    assert.deepEqual(got.get('acme-premium'), absolute('premium'));
    assert.ok(relative('premium', [3, 2], 'capable').strength < absolute('premium').strength);
    assert.deepEqual(got.get('claude-fable-5'), absolute('premium'));
    assert.equal(got.has('claude-opus-4-8'), false, 'a model without a tier borrows nothing');
    // With a better-measured capable model, the premium models take the gap instead.
    const better = priors.forArms('w', 's', 0, stageArms, evidence([['claude-sonnet-5', 'capable', 120, 80]]));
    assert.deepEqual(better.get('claude-fable-5'), relative('premium', [120, 80], 'capable'));
  });

  it("calls recorded without a tier count for the registry's tier of their model", () => {
    record(40, new Date(day + 3_600_000), () => null);
    const priors = new WorkflowPriors(store, new ModelRegistry(), { priorStrength: 100, gapPriorStrength: 0 });
    const got = priors.forArms('w', 's', 0, arms, new Map());
    assert.ok(got.get('claude-haiku-4-5')!.strength > 0, 'cheap has records from the other stages');
  });

  it("a model the other stages tried borrows its own record, not its tier's; within a tier, only a model-to-model gap", () => {
    // Two cheap models far apart on three other stages (90% and 40%), a premium one at 80%.
    const end = new Date(day + 3_600_000);
    const rates: Array<[string, Tier, number]> = [
      ['cheap-good', 'cheap', 9],
      ['cheap-bad', 'cheap', 4],
      ['claude-fable-5', 'premium', 8],
    ];
    for (const other of ['o1', 'o2', 'o3'])
      for (const [model, tier, per10] of rates)
        store.trackLlmCalls(series(40, { end, workflow: 'w', stage: other, model, tier, fails: (i) => i % 10 >= per10 }));
    const priors = new WorkflowPriors(store, new ModelRegistry(), { priorStrength: 100, gapPriorStrength: 100 });
    const own = (successes: number) =>
      empiricalBayesPrior(
        [1, 2, 3].map(() => ({ calls: 40, successes })),
        100,
      );
    const got = priors.forArms('w', 's', 0, [...rates.map(([model, tier]) => ({ model, tier })), { model: 'cheap-new', tier: 'cheap' as Tier }], new Map());
    assert.deepEqual(got.get('cheap-good'), own(36));
    assert.deepEqual(got.get('cheap-bad'), own(16));
    assert.deepEqual(
      got.get('cheap-new'),
      empiricalBayesPrior(
        [1, 2, 3].map(() => ({ calls: 80, successes: 52 })),
        100,
      ),
      'untried elsewhere: its tier',
    );
    // Measured here, cheap-good lends cheap-bad the model-to-model gap (-50 points), not a tier's zero.
    const here = new Map<string, ModelEvidence>([
      ['cheap-good', { model: 'cheap-good', tier: 'cheap', successes: 90, failures: 10, calls: 100, avgLatencyMs: null, avgCost: null, changed: null }],
    ]);
    const bad = priors.forArms('w', 's', 0, [{ model: 'cheap-bad', tier: 'cheap' }], here).get('cheap-bad')!;
    assert.ok(bad.mean < 0.45, `cheap-bad borrows 90% less the 50-point gap: ${bad.mean}`);
    const fresh = priors.forArms('w', 's', 0, [{ model: 'cheap-new', tier: 'cheap' }], here).get('cheap-new')!;
    assert.ok(Math.abs(fresh.mean - 0.65) < 0.01, `an untried cheap model takes no gap to another cheap model, only its tier's record: ${fresh.mean}`);
  });

  it('reads whole days: a window starting mid-day includes that whole day, not the day before', () => {
    record(40, new Date(day - DAY_MS + 3_600_000)); // yesterday: outside either window
    const priors = new WorkflowPriors(store, new ModelRegistry(), { priorStrength: 100, gapPriorStrength: 0 });
    assert.equal(priors.forArms('w', 's', day + 12 * 3_600_000, arms, new Map()).get('claude-fable-5')!.strength, 0, 'nothing today yet');
    store.trackLlmCalls(series(20, { end: new Date(day + 3_600_000), workflow: 'w', stage: 'o1', model: 'claude-fable-5', tier: 'premium' }));
    const fresh = new WorkflowPriors(store, new ModelRegistry(), { priorStrength: 100, gapPriorStrength: 0 });
    const today = fresh.forArms('w', 's', day + 12 * 3_600_000, arms, new Map()).get('claude-fable-5')!;
    assert.deepEqual(today, empiricalBayesPrior([{ calls: 20, successes: 20 }], 100), "this morning's calls, and only them");
  });

  it('keeps the records until the workflow gained 2% more calls (at least 50), or the window moved', () => {
    record(1000, new Date(day + 3_600_000)); // 9,000 calls: refreshed after more than 180 new ones
    const priors = new WorkflowPriors(store, new ModelRegistry(), { priorStrength: 100, gapPriorStrength: 0 });
    const first = priors.forArms('w', 's', 0, arms, new Map()).get('claude-fable-5')!;
    const failing = (n: number) =>
      store.trackLlmCalls(
        series(n, { end: new Date(day + 7_200_000), workflow: 'w', stage: 'o1', model: 'claude-fable-5', tier: 'premium', fails: () => true }),
      );
    failing(175);
    assert.deepEqual(priors.forArms('w', 's', 0, arms, new Map()).get('claude-fable-5'), first, '175 of 9,000: kept');
    failing(5);
    assert.deepEqual(priors.forArms('w', 's', 0, arms, new Map()).get('claude-fable-5'), first, '180 of 9,000: kept');
    failing(5);
    const refreshed = priors.forArms('w', 's', 0, arms, new Map()).get('claude-fable-5')!;
    assert.ok(refreshed.mean < first.mean, '185: read again');
    failing(5);
    assert.deepEqual(priors.forArms('w', 's', 0, arms, new Map()).get('claude-fable-5'), refreshed, 'kept again');
    assert.notDeepEqual(priors.forArms('w', 's', day, arms, new Map()).get('claude-fable-5'), refreshed, 'another window start: read again');
  });
});
