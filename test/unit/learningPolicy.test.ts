import { strict as assert } from 'assert';
import fc from 'fast-check';
import { ArmState, DEFAULT_POLICY, chooseArm, detectChange, evidenceFromHistory, sameArms, stageRecord } from '../../src/core/routing/learningPolicy';
import { seededRandom } from '../../src/core/random';
import type { StageCall } from '../../src/core/store/telemetryStore';

function call(model: string, success: boolean): StageCall {
  return { model, tier: 'cheap', success, cost: 0.001, durationMs: 100, inputTokens: 10, outputTokens: 5, ts: 0 };
}

function arm(model: string, successes: number, failures: number, cost: number, extra: Partial<ArmState> = {}): ArmState {
  return {
    model,
    tier: null,
    successes,
    failures,
    calls: successes + failures,
    priorAlpha: 1,
    priorBeta: 1,
    expectedCost: cost,
    avgLatencyMs: null,
    changed: null,
    ...extra,
  };
}

const settings = {
  target: 0.8,
  halfLife: 500,
  changeAlpha: 1e-4,
  explorationBudget: 0.1,
  priorStrength: 4,
  gapPriorStrength: 20,
  settleCalls: 0,
  plausibility: 0.2,
  orderPrior: 0.9,
  outOfReachBand: 0,
  targetMargin: 0,
};

describe('learning policy', () => {
  it('weighs each call by its age in stage calls (half-life decay)', () => {
    // Newest first: a success at age 0, a failure at age 1 and a success at age 2, half-life 1.
    const evidence = evidenceFromHistory([call('a', true), call('a', false), call('a', true)], { halfLife: 1, changeAlpha: 1e-4 });
    const a = evidence.get('a')!;
    assert.equal(a.successes, 1 + 0.25);
    assert.equal(a.failures, 0.5);
    assert.equal(a.calls, 3);
  });

  it("ages a model by the stage's calls, not its own: an idle model's evidence fades", () => {
    const history = [...Array.from({ length: 10 }, () => call('busy', true)), call('idle', false)];
    const idle = evidenceFromHistory(history, { halfLife: 10, changeAlpha: 1e-4 }).get('idle')!;
    assert.equal(idle.failures, 0.5, 'ten stage calls later, at half weight');
  });

  it('the posterior is the prior plus the evidence (Beta(1 + 8, 1 + 2): mean 0.75)', () => {
    const s = chooseArm([arm('a', 8, 2, 0.001)], settings, seededRandom(1), false).summaries[0];
    assert.equal(s.mean, 0.75);
    // P(theta >= 0.8) for Beta(9, 3) = 1 - I_0.8(9, 3), and I_0.8(9, 3) = P(Binomial(11, 0.8) >= 9)
    // = 55 * 0.8^9 * 0.2^2 + 11 * 0.8^10 * 0.2 + 0.8^11 = 0.295279 + 0.236223 + 0.085899 = 0.617401
    assert.ok(Math.abs(s.chance - (1 - 0.617401)) < 1e-5, String(s.chance));
  });

  it("lets what is left of a changed model's evidence fade twice as fast", () => {
    // Newest first: 8 failures after 100 successes. The change test keeps the 8; at half-life 30 / 2 = 15
    // they weigh sum over k = 0..7 of 2^(-k/15) = (1 - 2^(-8/15)) / (1 - 2^(-1/15)) = 0.309044 / 0.045158 = 6.8435.
    const history = [...Array.from({ length: 8 }, () => call('a', false)), ...Array.from({ length: 100 }, () => call('a', true))];
    const a = evidenceFromHistory(history, { halfLife: 30, changeAlpha: 1e-4 }).get('a')!;
    assert.equal(a.changed, 'degraded');
    assert.equal(a.calls, 8);
    assert.equal(a.successes, 0);
    assert.ok(Math.abs(a.failures - 6.8435) < 1e-3, String(a.failures));
  });

  it('detects a model whose recent calls fail far more than before, and not a stable one', () => {
    const stable = Array.from({ length: 200 }, (_, i) => i % 12 !== 0); // ~8% failures throughout
    assert.equal(detectChange(stable, 1e-4), undefined);
    const degraded = [false, false, true, false, false, false, true, false, ...stable]; // 6 of the last 8 failed
    const change = detectChange(degraded, 1e-4);
    assert.equal(change?.direction, 'degraded');
    assert.ok(change!.recent >= 5 && change!.recent <= 10, String(change?.recent));
    const recovered = [...Array.from({ length: 15 }, () => true), ...Array.from({ length: 100 }, (_, i) => i % 2 === 0)];
    assert.equal(detectChange(recovered, 1e-4)?.direction, 'recovered');
  });

  it('picks the cheapest model that meets the target, else an untried one, else the most successful', () => {
    const random = seededRandom(1);
    const noExplore = { ...settings, explorationBudget: 0 };
    assert.equal(chooseArm([arm('cheap', 90, 10, 0.001), arm('dear', 99, 1, 0.01)], noExplore, random, false).arm.model, 'cheap');
    assert.equal(chooseArm([arm('cheap', 50, 50, 0.001), arm('dear', 99, 1, 0.01)], noExplore, random, false).arm.model, 'dear');
    const untried = chooseArm([arm('cheap', 50, 50, 0.001), arm('mid', 0, 0, 0.005), arm('dear', 60, 40, 0.01)], noExplore, random, false);
    assert.equal(untried.arm.model, 'mid');
    const out = chooseArm([arm('cheap', 50, 50, 0.001), arm('dear', 70, 30, 0.01)], noExplore, random, false);
    assert.equal(out.arm.model, 'dear');
    assert.equal(out.outOfReach, true);
  });

  it('orders by tier when a cost is unknown, and relaxes hard limits only when nothing is left', () => {
    const random = seededRandom(2);
    const byTier = chooseArm([arm('p', 95, 5, 0.01, { tier: 'premium' }), arm('c', 95, 5, 0, { tier: 'cheap', expectedCost: null })], settings, random, false);
    assert.equal(byTier.arm.model, 'c');
    const limited = chooseArm([arm('a', 95, 5, 0.01, { excludedBy: 'cost' }), arm('b', 95, 5, 0.02)], settings, random, false);
    assert.equal(limited.arm.model, 'b');
    const relaxed = chooseArm([arm('a', 95, 5, 0.01, { excludedBy: 'cost' })], settings, random, false);
    assert.equal(relaxed.limitsRelaxed, true);
  });

  it('keeps exploration of pricier models within the budget once a model meets the target', () => {
    const random = seededRandom(3);
    // The cheap model is only just above target, so Thompson alone would often try the dear one.
    const arms = [arm('cheap', 41, 9, 0.001), arm('dear', 5, 0, 0.01)];
    let dear = 0;
    for (let i = 0; i < 4000; i++) if (chooseArm(arms, settings, random).arm.model === 'dear') dear++;
    assert.ok(dear / 4000 <= 0.11, `explored ${dear / 40}%`);
    let unbounded = 0;
    for (let i = 0; i < 4000; i++) if (chooseArm(arms, { ...settings, explorationBudget: 1 }, random).arm.model === 'dear') unbounded++;
    assert.ok(unbounded / 4000 > 0.2, `Thompson alone explores more: ${unbounded / 40}%`);
  });

  it("reads the stage's record with the same decay as the evidence", () => {
    // Newest first: success (weight 1), failure (0.5), success (0.25) at half-life 1.
    assert.deepEqual(stageRecord([call('a', true), call('b', false), call('a', true)], 1), { successes: 1.25, calls: 1.75 });
  });

  it('tries a cheaper model only while the stage can afford one more failure (its error budget)', () => {
    // The cheap model is unproven (3 of 4), the premium one proven (20 of 20).
    const arms = [arm('cheap', 3, 1, 0.001, { tier: 'cheap' }), arm('dear', 20, 0, 0.01, { tier: 'premium' })];
    const count = (stage: { successes: number; calls: number }) => {
      const random = seededRandom(8);
      let cheap = 0;
      for (let i = 0; i < 2000; i++) if (chooseArm(arms, settings, random, true, stage).arm.model === 'cheap') cheap++;
      return cheap;
    };
    // 7.9 of 10 is below the 80% target: no room for a failure, so no cheaper tries.
    assert.equal(count({ successes: 7.9, calls: 10 }), 0);
    // 23 of 24 leaves room: 23 >= 0.8 * 25. The cheap model is tried, as often as Thompson says.
    assert.ok(count({ successes: 23, calls: 24 }) > 200);
  });

  it('serves a stage no model can serve with the most successful model, and rarely tries a clearly worse one', () => {
    const random = seededRandom(4);
    // Target 0.8; cheap 50% of 40, premium 70% of 40: out of reach.
    const arms = [arm('cheap', 20, 20, 0.001, { tier: 'cheap' }), arm('dear', 28, 12, 0.01, { tier: 'premium' })];
    const guess = chooseArm(arms, settings, random, false);
    assert.equal(guess.arm.model, 'dear');
    assert.equal(guess.outOfReach, true);
    let cheap = 0;
    for (let i = 0; i < 2000; i++) if (chooseArm(arms, settings, random, true, { successes: 48, calls: 80 }).arm.model === 'cheap') cheap++;
    // The stage is far behind its target, but out of reach there is no budget to keep: the cheap model
    // is tried only as often as it could be the better one (P(cheap's rate > premium's) is about 1% here).
    assert.ok(cheap / 2000 < 0.03, `cheap tried ${cheap / 20}%`);
  });

  it('out of reach with a band: settles on the cheapest model more likely than not within the band of the best, on its own evidence', () => {
    // Target 0.8, out of reach: dear 66% of 400, mid 63% of 400 at a tenth of the price, cheap 30% of 100.
    const banded = { ...settings, outOfReachBand: 0.05 };
    const dear = arm('dear', 264, 136, 0.02, { tier: 'premium' });
    const mid = arm('mid', 252, 148, 0.002, { tier: 'capable' });
    const cheap = arm('cheap', 30, 70, 0.001, { tier: 'cheap' });
    const guess = chooseArm([cheap, mid, dear], banded, seededRandom(1), false);
    assert.equal(guess.outOfReach, true);
    assert.equal(guess.arm.model, 'mid', '3 points under the best: inside the 5-point band');
    assert.equal(guess.band, 0.05);
    assert.equal(chooseArm([cheap, mid, dear], settings, seededRandom(1), false).arm.model, 'dear', 'without a band: the most successful');
    // 9 points under the best is outside the band, however cheap.
    const far = arm('far', 228, 172, 0.002, { tier: 'capable' });
    assert.equal(chooseArm([cheap, far, dear], banded, seededRandom(1), false).arm.model, 'dear');
    // Barely out of reach, the band narrows to the shortfall: 77% against 80% allows 3 points, not 4.
    const near = arm('near', 308, 92, 0.02, { tier: 'premium' });
    const fourUnder = arm('four-under', 292, 108, 0.002, { tier: 'capable' });
    const barely = chooseArm([cheap, fourUnder, near], banded, seededRandom(1), false);
    assert.equal(barely.outOfReach, true);
    assert.equal(barely.arm.model, 'near');
    assert.ok(Math.abs(barely.band! - 0.03) < 0.01, String(barely.band));
    // A model tried a few times, however well, is explored, not settled on.
    const thin = arm('thin', 5, 1, 0.002, { tier: 'capable' });
    assert.equal(chooseArm([cheap, thin, dear], banded, seededRandom(1), false).arm.model, 'dear');
    let tried = 0;
    for (let i = 0; i < 500; i++)
      if (chooseArm([cheap, thin, dear], banded, seededRandom(i), true, { successes: 300, calls: 500 }).arm.model === 'thin') tried++;
    assert.ok(tried > 50, `a cheaper model short of evidence is tried freely (${tried} of 500)`);
  });

  it('calls a model plausible while it is as likely to meet the target as an untried one (1 - target)', () => {
    const random = seededRandom(6);
    // One success of one: Beta(2, 1), P(theta >= 0.9) = 1 - 0.81 = 0.19, above the untried 0.1.
    const arms = [arm('cheap', 1, 0, 0.001, { tier: 'cheap' }), arm('dear', 50, 0, 0.01, { tier: 'premium' })];
    const at90 = { ...settings, target: 0.9, plausibility: null };
    assert.equal(chooseArm(arms, at90, random, false).arm.model, 'cheap');
    assert.equal(chooseArm(arms, { ...at90, plausibility: 0.2 }, random, false).arm.model, 'dear', 'a fixed 20% would drop it');
    // One failure of one: Beta(1, 2), P(theta >= 0.9) = 0.01: shown short.
    assert.equal(chooseArm([arm('cheap', 0, 1, 0.001, { tier: 'cheap' }), arms[1]], at90, random, false).arm.model, 'dear');
  });

  it('orders arms by known cost (whatever their tiers), ties by tier then name; by tier when a cost is unknown', () => {
    const order = (arms: ArmState[]) => chooseArm(arms, settings, seededRandom(1), false).summaries.map((a) => a.model);
    assert.deepEqual(order([arm('y', 9, 1, 0.01, { tier: 'cheap' }), arm('x', 9, 1, 0.001, { tier: 'premium' })]), ['x', 'y']);
    assert.deepEqual(order([arm('b', 9, 1, 0.01, { tier: 'premium' }), arm('a', 9, 1, 0.01, { tier: 'capable' }), arm('c', 9, 1, 0.01, { tier: 'capable' })]), [
      'a',
      'c',
      'b',
    ]);
    assert.deepEqual(
      order([arm('y', 9, 1, 0.01, { tier: 'cheap' }), arm('x', 9, 1, 0.001, { tier: 'premium' }), arm('z', 9, 1, 0, { tier: 'capable', expectedCost: null })]),
      ['y', 'z', 'x'],
    );
  });

  it('Thompson takes the cheapest model whose draw meets the target, not the highest draw', () => {
    const random = seededRandom(12);
    const arms = [arm('cheap', 95, 5, 0.001), arm('dear', 99, 1, 0.01)];
    let cheap = 0;
    for (let i = 0; i < 1000; i++) if (chooseArm(arms, { ...settings, explorationBudget: 1 }, random).arm.model === 'cheap') cheap++;
    assert.ok(cheap > 950, `cheap picked ${cheap} of 1000`);
  });

  it('as a model\'s own calls grow, the bar for "plausible" rises from 1 - target toward one half (settleCalls)', () => {
    // 78% of 200 calls against an 80% target: P(meets it) is about a quarter.
    const arms = [arm('cheap', 156, 44, 0.001), arm('dear', 99, 1, 0.01)];
    const pick = (settleCalls: number) => chooseArm(arms, { ...settings, plausibility: null, settleCalls }, seededRandom(1), false).arm.model;
    assert.equal(pick(0), 'cheap', 'above 1 - target = 0.2: still plausible');
    assert.equal(pick(50), 'dear', 'the bar is 0.2 + 0.3 x 200/250 = 0.44 after 200 calls');
    assert.equal(pick(100_000), 'cheap', 'a bar that has hardly moved');
  });

  it('a stage behind its target with no model likely enough is not out of reach while its best is still plausible', () => {
    const only = [arm('only', 156, 44, 0.001)];
    const behind = chooseArm(only, { ...settings, plausibility: null }, seededRandom(1), false, { successes: 7, calls: 10 });
    assert.equal(behind.outOfReach, false, 'P(meets 80%) about 0.25: above the 0.2 an untried model has');
    const hopeless = chooseArm([arm('only', 60, 40, 0.001)], { ...settings, plausibility: null }, seededRandom(1), false, { successes: 7, calls: 10 });
    assert.equal(hopeless.outOfReach, true);
  });

  it('two lists of arms are the same only when every field of every arm is', () => {
    const a = [arm('m', 1, 2, 0.1), arm('n', 3, 4, 0.2)];
    assert.equal(
      sameArms(
        a,
        a.map((x) => ({ ...x })),
      ),
      true,
    );
    assert.equal(sameArms(a, a.slice(0, 1)), false);
    assert.equal(sameArms(a, [a[0], { ...a[1], failures: 5 }]), false);
    assert.equal(sameArms(a, [a[0], { ...a[1], excludedBy: 'cost' }]), false, 'a field more');
    assert.equal(sameArms([{ ...a[0], expectedCost: 0 }], [{ ...a[0], expectedCost: -0 }]), false, 'Object.is: -0 is not 0');
    assert.equal(sameArms([], []), true);
  });

  it('never picks a cheaper model when the target rises (property over random histories)', () => {
    const tiers = ['cheap', 'capable', 'premium'] as const;
    const history = fc.array(fc.record({ model: fc.nat({ max: 3 }), success: fc.boolean() }), { maxLength: 150 });
    const models = fc.array(fc.record({ tier: fc.constantFrom(0, 1, 2), skill: fc.double({ min: 0.2, max: 1, noNaN: true }) }), { minLength: 2, maxLength: 4 });
    fc.assert(
      fc.property(
        models,
        history,
        fc.double({ min: 0.3, max: 0.97, noNaN: true }),
        fc.double({ min: 0.005, max: 0.3, noNaN: true }),
        (specs, draws, low, step) => {
          // Calls newest first; each history entry names a model and whether it succeeded there.
          const calls: StageCall[] = draws
            .filter((d) => d.model < specs.length)
            .map((d) => ({ ...call(`m${d.model}`, d.success), tier: tiers[specs[d.model].tier] }));
          const evidence = evidenceFromHistory(calls, { halfLife: 500, changeAlpha: 1e-4 });
          const arms = specs.map((spec, i): ArmState => {
            const e = evidence.get(`m${i}`);
            return arm(`m${i}`, e?.successes ?? 0, e?.failures ?? 0, 0.001 * (1 + spec.tier * 5 + i * 0.1), { tier: tiers[spec.tier], calls: e?.calls ?? 0 });
          });
          const record = stageRecord(calls, 500);
          const high = Math.min(0.99, low + step);
          const at = (target: number) => {
            const choice = chooseArm(
              arms,
              { ...settings, settleCalls: DEFAULT_POLICY.settleCalls, target, plausibility: null },
              seededRandom(1),
              false,
              record,
            );
            return choice.summaries.findIndex((s) => s.model === choice.arm.model);
          };
          return at(high) >= at(low);
        },
      ),
      { numRuns: 400, seed: 20261202 },
    );
  });
});
