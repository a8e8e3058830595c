import { strict as assert } from 'assert';
import { ModelRegistry, openTelemetryStore, type LlmCallInput, type TelemetryStore } from '../../src/core';
import type { BudgetDeclaration } from '../../src/core/budgets/budgetDeclarations';
import { BUDGET_REFRESH_CALLS, BudgetGuard, PACE_MIN_CALLS } from '../../src/core/budgets/budgetGuard';
import { fixedClock } from './helpers';

/** A budget of `limit` USD on a scope. */
function budget(
  limit: number,
  onExceeded: BudgetDeclaration['onExceeded'],
  scope: BudgetDeclaration['scope'] = {},
  period: BudgetDeclaration['period'] = 'daily',
): BudgetDeclaration {
  return { scope, period, limit, onExceeded, source: 'manifest' };
}

describe('BudgetGuard: what a budget does to a stage decision, read from the store and kept between reads', () => {
  const registry = new ModelRegistry();
  let clock: ReturnType<typeof fixedClock>;
  let store: TelemetryStore;
  /** `n` calls of `cost` each on w/s (or another stage) a minute ago. */
  const spend = (n: number, cost: number, over: Partial<LlmCallInput> = {}) =>
    store.trackLlmCalls(
      Array.from({ length: n }, () => ({
        workflow: 'w',
        stage: 's',
        model: 'claude-haiku-4-5',
        tier: 'cheap',
        cost,
        success: true,
        ts: new Date(clock.now().getTime() - 60_000),
        ...over,
      })),
    );
  beforeEach(async () => {
    clock = fixedClock('2026-11-20T12:00:00Z');
    store = await openTelemetryStore({ now: clock.now });
  });
  afterEach(() => store.dispose());

  it('no budgets, or budgets of other scopes: no influence', () => {
    spend(1, 5);
    assert.equal(new BudgetGuard(store, registry, clock.now).influenceOn('w', 's'), undefined);
    const elsewhere = new BudgetGuard(store, registry, clock.now, [
      budget(1, 'block', { workflow: 'other' }),
      budget(1, 'block', { workflow: 'w', stage: 'other' }),
    ]);
    assert.equal(elsewhere.influenceOn('w', 's'), undefined);
  });

  it('each effect at its threshold: block and cheapest from the limit on, no pricier exploration from 90% (warn too), nothing below', () => {
    spend(1, 0.9);
    const at = (limit: number, onExceeded: BudgetDeclaration['onExceeded']) =>
      new BudgetGuard(store, registry, clock.now, [budget(limit, onExceeded)]).influenceOn('w', 's')?.effect;
    assert.equal(at(0.9, 'block'), 'blocked', 'exactly the limit is spent');
    assert.equal(at(0.9, 'cheapest'), 'cheapest');
    assert.equal(at(0.9, 'warn'), 'no-pricier-exploration', 'warn keeps the target first, only exploration stops');
    assert.equal(at(1, 'block'), 'no-pricier-exploration', '90% of the limit');
    assert.equal(at(1.0001, 'block'), undefined, 'just under 90%');
  });

  it('the influence says which budget, its spend and share, and the strongest of several wins (block, then cheapest, then the fuller one)', () => {
    spend(2, 1);
    const weekly = budget(1.5, 'cheapest', { workflow: 'w' }, 'weekly');
    const guard = new BudgetGuard(store, registry, clock.now, [budget(2.1, 'warn'), weekly, budget(2.05, 'warn', { workflow: 'w', stage: 's' })]);
    assert.deepEqual(guard.influenceOn('w', 's'), {
      name: 'weekly budget of w',
      scope: { workflow: 'w' },
      period: 'weekly',
      limit: 1.5,
      spent: 2,
      used: 2 / 1.5,
      onExceeded: 'cheapest',
      effect: 'cheapest',
    });
    guard.setBudgets([budget(10, 'block'), budget(2.1, 'warn'), budget(2.05, 'warn', { workflow: 'w', stage: 's' })]);
    const near = guard.influenceOn('w', 's')!;
    assert.deepEqual([near.effect, near.limit], ['no-pricier-exploration', 2.05], 'of two near their limits, the fuller one');
    guard.setBudgets([budget(2.05, 'warn'), budget(1, 'cheapest'), budget(1.9, 'block')]);
    assert.equal(guard.influenceOn('w', 's')!.effect, 'blocked', 'block beats cheapest beats warn');
  });

  it(`a reading is kept until ${BUDGET_REFRESH_CALLS} more calls are tracked, and read again when the period turns or the budgets change`, () => {
    spend(1, 0.5);
    const guard = new BudgetGuard(store, registry, clock.now, [budget(1, 'block')]);
    assert.equal(guard.influenceOn('w', 's'), undefined, '50%');
    spend(BUDGET_REFRESH_CALLS - 1, 0.1);
    assert.equal(guard.influenceOn('w', 's'), undefined, 'the reading is kept: $1.40 tracked, $0.50 read');
    spend(1, 0.1);
    assert.equal(guard.influenceOn('w', 's')?.effect, 'blocked', `${BUDGET_REFRESH_CALLS} calls later it is read again`);
    clock.advance(86_400_000);
    assert.equal(guard.influenceOn('w', 's'), undefined, 'a new day: nothing spent yet');
    guard.setBudgets([budget(1, 'block', {}, 'weekly')]);
    assert.equal(guard.influenceOn('w', 's')?.spent.toFixed(2), '1.50', 'the new budget is read, not the old reading');
  });

  it(`pace: only a "cheapest" budget not spent yet, read already, with ${PACE_MIN_CALLS}+ calls; the fullest one, with the period's elapsed and remaining time`, () => {
    const cheapest = budget(10, 'cheapest', { workflow: 'w' });
    const guard = new BudgetGuard(store, registry, clock.now, [budget(5, 'warn'), cheapest, budget(20, 'cheapest')]);
    spend(PACE_MIN_CALLS - 1, 0.5);
    guard.influenceOn('w', 's');
    assert.equal(guard.paceOf('w', 's'), undefined, `${PACE_MIN_CALLS - 1} calls say too little about the rate`);
    spend(1, 0.5);
    guard.setBudgets([budget(5, 'warn'), cheapest, budget(20, 'cheapest')]);
    assert.equal(guard.paceOf('w', 's'), undefined, 'not read since the budgets changed');
    guard.influenceOn('w', 's');
    const pace = guard.paceOf('w', 's')!;
    assert.deepEqual(
      [pace.influence.limit, pace.influence.effect, pace.calls, pace.elapsedMs, pace.remainingMs],
      [10, 'cheapest', PACE_MIN_CALLS, 12 * 3_600_000, 12 * 3_600_000],
      'the fuller of the two cheapest budgets, half the day gone',
    );
    assert.equal(pace.influence.spent, 5);
    assert.equal(guard.paceOf('other', 's')?.influence.limit, 20, 'another workflow: only the workspace budget applies');
    spend(10, 0.5);
    guard.setBudgets([cheapest]);
    guard.influenceOn('w', 's');
    assert.equal(guard.paceOf('w', 's'), undefined, 'spent: the budget holds the stage already, no pace');
  });
});
