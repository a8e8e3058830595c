import { strict as assert } from 'assert';
import type { ArmSummary, PolicyChoice } from '../../src/core/routing/learningPolicy';
import { explainChoice } from '../../src/core/routing/routeReasons';

function arm(model: string, calls: number, mean: number, extra: Partial<ArmSummary> = {}): ArmSummary {
  return {
    model,
    tier: null,
    successes: calls * mean,
    failures: calls * (1 - mean),
    calls,
    priorAlpha: 1,
    priorBeta: 1,
    expectedCost: null,
    avgLatencyMs: null,
    changed: null,
    mean,
    interval: { low: mean - 0.1, high: mean + 0.05 },
    chance: 0.5,
    best: 0.5,
    ...extra,
  };
}

function choice(summaries: ArmSummary[], chosen: ArmSummary, extra: Partial<PolicyChoice> = {}): PolicyChoice {
  return { arm: chosen, greedy: chosen, summaries, explored: false, outOfReach: false, limitsRelaxed: false, ...extra };
}

describe("route()'s reasons", () => {
  const cheap = arm('cheap-model', 20, 0.6);
  const untried = arm('untried-model', 0, 0.5);
  const excluded = arm('excluded-model', 30, 0.5, { excludedBy: 'cost $0.0100 > $0.0050' });
  const good = arm('good-model', 40, 0.85);

  it('a stage without calls: a try, or a default that says so', () => {
    assert.equal(explainChoice(choice([cheap], cheap), 0.8, 0, 10, true), 'No calls for this stage yet: trying cheap-model');
    assert.equal(
      explainChoice(choice([cheap], cheap), 0.8, 0, 10, false),
      'No calls for this stage yet, so this is a default: cheap-model, the cheapest model, until there are calls to learn from',
    );
  });

  it('an exploring call names the best guess it departs from', () => {
    assert.equal(
      explainChoice(choice([cheap, good], cheap, { greedy: good, explored: true }), 0.8, 60, 10, true),
      'Exploring cheap-model (estimated 60.0%, 90% interval 50.0%–65.0%, n=20) to keep learning; the current best guess for the 80.0% target is good-model',
    );
    assert.equal(
      explainChoice(choice([untried, good], untried, { greedy: good, explored: true }), 0.8, 40, 10, true),
      'Exploring untried-model (no calls here yet) to keep learning; the current best guess for the 80.0% target is good-model',
    );
  });

  it('out of reach: still learning, an untried model, or the likeliest to come closest', () => {
    const summaries = [cheap, untried, arm('other', 10, 0.55)];
    assert.equal(
      explainChoice(choice(summaries, cheap, { outOfReach: true }), 0.9, 9, 10, false),
      'Still learning which model meets the 90.0% target (9 calls so far): cheap-model (estimated 60.0%, 90% interval 50.0%–65.0%, n=20)',
    );
    assert.equal(
      explainChoice(choice(summaries, untried, { outOfReach: true }), 0.9, 10, 10, false),
      'Tried models fall short of the 90.0% target (cheap-model 60.0%, n=20; other 55.0%, n=10): untried-model, not tried here yet, is the likeliest to come closest',
    );
    assert.equal(
      explainChoice(choice(summaries, cheap, { outOfReach: true }), 0.9, 30, 10, false),
      'No model reaches the 90.0% target here; using the one likeliest to come closest, cheap-model (estimated 60.0%, 90% interval 50.0%–65.0%, n=20)',
    );
  });

  it('out of reach with a band: the cheaper model inside it, against the likeliest best', () => {
    const best = arm('best-model', 400, 0.66);
    const mid = arm('mid-model', 400, 0.63);
    assert.equal(
      explainChoice(choice([mid, best], mid, { outOfReach: true, band: 0.05, bandLeader: best }), 0.8, 800, 10, false),
      'No model reaches the 80.0% target here, so the stage runs on the cheapest model within 5 points of the likeliest best: mid-model (estimated 63.0%, 90% interval 53.0%–68.0%, n=400) against best-model (estimated 66.0%, 90% interval 56.0%–71.0%, n=400)',
    );
  });

  it('the best guess: why cheaper models were passed over (tried and short, or untried), never an excluded one', () => {
    assert.equal(
      explainChoice(choice([cheap, untried, excluded, good], good), 0.8, 90, 10, false),
      'good-model is the cheapest model likely to meet the 80.0% target (estimated 85.0%, 90% interval 75.0%–90.0%, n=40); cheaper models fell short (cheap-model 60.0%, n=20); untried cheaper models (untried-model) are unlikely to meet it here',
    );
    assert.equal(
      explainChoice(choice([excluded, good], good), 0.8, 70, 10, false),
      'good-model is the cheapest model likely to meet the 80.0% target (estimated 85.0%, 90% interval 75.0%–90.0%, n=40)',
    );
    const atTarget = arm('at-target', 50, 0.8);
    assert.match(explainChoice(choice([atTarget], atTarget), 0.8, 50, 10, false), /^at-target is the cheapest model likely to meet/);
    const under = arm('under', 50, 0.79);
    assert.equal(
      explainChoice(choice([under], under), 0.8, 50, 10, false),
      'under may still meet the 80.0% target (estimated 79.0%, 90% interval 69.0%–84.0%, n=50)',
    );
    assert.equal(
      explainChoice(choice([cheap, untried], untried), 0.8, 20, 10, false),
      'untried-model may still meet the 80.0% target (no calls here yet); cheaper models fell short (cheap-model 60.0%, n=20)',
    );
  });

  it('recoveries, degradations and relaxed limits are said', () => {
    const recovered = arm('back', 40, 0.9, { changed: 'recovered' });
    const degraded = [arm('d1', 30, 0.5, { changed: 'degraded' }), arm('d2', 30, 0.5, { changed: 'degraded' })];
    assert.equal(
      explainChoice(choice([...degraded, recovered], recovered, { limitsRelaxed: true }), 0.8, 100, 10, false),
      'Fallback: no model meets the cost or latency limit, so the limit is set aside. back is the cheapest model likely to meet the 80.0% target (estimated 90.0%, 90% interval 80.0%–95.0%, n=40); cheaper models fell short (d1 50.0%, n=30; d2 50.0%, n=30); it recovered recently; d1, d2 degraded recently',
    );
  });
});
