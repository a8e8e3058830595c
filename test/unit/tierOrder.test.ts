import { strict as assert } from 'assert';
import { ArmPosterior, ORDER_PRIOR, priorChain, priorInOrder, summarizeJointly } from '../../src/core/routing/tierOrder';
import { regularizedBeta } from '../../src/core/stats/statistics';

/** An arm with a uniform prior and the given successes and failures. */
function arm(rank: number, successes = 0, failures = 0, priorAlpha = 1, priorBeta = 1): ArmPosterior {
  return { alpha: priorAlpha + successes, beta: priorBeta + failures, priorAlpha, priorBeta, rank };
}

describe('tier order', () => {
  it('prior probabilities of the order match hand-computed integrals', () => {
    // Two uniforms: P(premium >= cheap) = 1/2. Beta(2, 1) below a uniform: integral of 2x(1 - x) = 1/3.
    assert.ok(Math.abs(priorInOrder([arm(0), arm(2)], 1, [0]) - 1 / 2) < 0.005);
    assert.ok(Math.abs(priorInOrder([arm(0, 0, 0, 2, 1), arm(2)], 1, [0]) - 1 / 3) < 0.005);
    // One uniform above two: 1/3. Three tiers in order: 1/3! = 1/6 (the grid counts ties in a cell as in order).
    assert.ok(Math.abs(priorInOrder([arm(0), arm(0), arm(2)], 2, [0, 1]) - 1 / 3) < 0.005);
    assert.ok(Math.abs(priorChain([arm(0), arm(1), arm(2)]) - 1 / 6) < 0.01, String(priorChain([arm(0), arm(1), arm(2)])));
    assert.ok(Math.abs(priorChain([arm(0), arm(2)]) - 1 / 2) < 0.01);
    // Two middle-tier uniforms between a cheap and a premium one: 2 of the 4! orders, 1/12.
    assert.ok(Math.abs(priorChain([arm(0), arm(1), arm(1), arm(2)]) - 1 / 12) < 0.01);
  });

  it('without evidence the belief in the order is its prior (the Bayes factor is 1)', () => {
    const joint = summarizeJointly([arm(0), arm(2)], 0.8);
    assert.equal(joint.belief[0], 0, 'the cheapest tier has nothing below it');
    // Monte Carlo over 128 draws: P(order) 0.5 +- 0.09, so the belief stays within 0.86..0.93 of 0.9.
    assert.ok(Math.abs(joint.belief[1] - ORDER_PRIOR) < 0.05, String(joint.belief[1]));
  });

  it('lifts a thinly measured pricier model towards the cheaper one; the well-measured cheaper one keeps its mean', () => {
    // Cheap 9 of 10; premium 1 of 2 (its failure may be a request every model fails).
    const joint = summarizeJointly([arm(0, 9, 1), arm(2, 1, 1)], 0.8);
    assert.equal(joint.mean[0], 10 / 12, 'the cheap model keeps its own posterior mean');
    assert.ok(joint.mean[1] > 0.6, `premium lifted from its own 0.5: ${joint.mean[1]}`);
    assert.ok(joint.best[1] > 0.5, `premium is the likelier most successful model: ${joint.best[1]}`);
    // The tried premium is more likely than not short of 0.8, so the order holds cheap a little lower,
    // but 10 calls of its own keep it plausible (well above the 20% of an untried model).
    const own = 1 - regularizedBeta(0.8, 10, 2);
    assert.ok(joint.chance[0] < own && joint.chance[0] > 0.4, `${joint.chance[0]} vs its own ${own}`);
  });

  it('holds an untried cheaper model below a pricier tier that falls short of the target', () => {
    // The stage: capable at 74% of 110 calls, premium 11 of 12, cheap never tried; target 90%.
    const joint = summarizeJointly([arm(0), arm(1, 81, 29), arm(2, 11, 1)], 0.9);
    assert.ok(joint.chance[0] < 0.02, `an untried cheap model is not plausible at 90% (untried alone: 10%): ${joint.chance[0]}`);
    assert.ok(joint.chance[1] < 0.001, String(joint.chance[1]));
    assert.ok(joint.chance[2] > 0.3, `premium stays plausible: ${joint.chance[2]}`);
    // chanceAt reads the same mixture at any target: at 60% capable meets it, and nothing is held down.
    assert.ok(Math.abs(joint.chanceAt(0, 0.9) - joint.chance[0]) < 1e-12);
    assert.ok(Math.abs(joint.chanceAt(0, 0.6) - 0.4) < 1e-9, `at 60% the untried model is an untried model again: ${joint.chanceAt(0, 0.6)}`);
  });

  it('drags nothing below a pricier tier that does well or was never tried (a new stage starts cheap)', () => {
    const strongPremium = summarizeJointly([arm(0), arm(2, 99, 1)], 0.8);
    assert.ok(Math.abs(strongPremium.chance[0] - 0.2) < 1e-9, String(strongPremium.chance[0]));
    const untried = summarizeJointly([arm(0), arm(1), arm(2)], 0.8);
    assert.ok(Math.abs(untried.chance[0] - 0.2) < 1e-9, String(untried.chance[0]));
  });

  it('lets clear evidence against the order win: a well-measured worse premium stays where it is', () => {
    const joint = summarizeJointly([arm(0, 90, 10), arm(2, 40, 60)], 0.8);
    assert.ok(joint.belief[1] < 0.01, String(joint.belief[1]));
    assert.ok(Math.abs(joint.mean[1] - 41 / 102) < 0.01, String(joint.mean[1]));
    assert.ok(joint.best[0] > 0.99);
  });

  it('Thompson draws come from the same posterior as the summary', () => {
    const joint = summarizeJointly([arm(0, 6, 4), arm(2, 2, 2)], 0.8);
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    let premiumHigher = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const draw = joint.sample(random);
      if (draw[1] >= draw[0]) premiumHigher++;
    }
    assert.ok(Math.abs(premiumHigher / n - joint.best[1]) < 0.03, `${premiumHigher / n} vs ${joint.best[1]}`);
  });

  it("the probability of any event is exact over Thompson's draws: certain events 1, impossible ones 0, others as often as drawn", () => {
    for (const arms of [
      [arm(0, 6, 4), arm(2, 2, 2)],
      [arm(0, 30, 3), arm(1, 2, 1), arm(2, 1, 1)],
      [arm(-1, 3, 3), arm(-1, 5, 1)],
    ]) {
      const joint = summarizeJointly(arms, 0.8);
      assert.ok(Math.abs(joint.probability(() => true) - 1) < 1e-12);
      assert.equal(
        joint.probability(() => false),
        0,
      );
      const sumOfBest = joint.best.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sumOfBest - 1) < 1e-12, `the most successful model is one of them: ${sumOfBest}`);
      let seed = 7;
      const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
      for (const event of [(d: Float64Array) => d[0] > 0.7, (d: Float64Array) => d[arms.length - 1] >= d[0]]) {
        let hits = 0;
        const n = 20_000;
        for (let i = 0; i < n; i++) if (event(joint.sample(random))) hits++;
        const p = joint.probability(event);
        assert.ok(Math.abs(hits / n - p) < 0.03, `drawn ${hits / n}, probability ${p}`);
      }
    }
  });
});
