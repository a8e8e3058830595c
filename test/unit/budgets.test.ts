import { strict as assert } from 'assert';
import { recommendStage } from '../../src/core/routing/recommendation';
import { parseTree } from 'jsonc-parser';
import { AdaptiveModelRouter, ModelRegistry, TelemetryStore, openTelemetryStore, parseWorkflowsManifest } from '../../src/core';
import { BudgetDeclaration, readManifestBudgets, settingBudgets } from '../../src/core/budgets/budgetDeclarations';
import { BUDGET_REFRESH_CALLS } from '../../src/core/budgets/budgetGuard';
import { periodAt } from '../../src/core/budgets/budgetPeriods';
import {
  BudgetStatus,
  budgetSentence,
  budgetShort,
  budgetState,
  budgetStatuses,
  budgetsOf,
  projectBudget,
  projectionText,
  tightestBudget,
} from '../../src/core/budgets/budgetStatus';
import { formatBudgetReport } from '../../src/core/budgets/budgetReport';
import { dueNotices, noticeKey } from '../../src/core/budgets/budgetNotices';
import { seededRandom } from '../../src/core/random';
import { fixedClock, series } from './helpers';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(text);

describe('budget periods: calendar periods in UTC, weeks from Monday', () => {
  it('a call at 23:59:59.999 is in its day, week and month; one at 00:00:00 the next day is in the next', () => {
    const last = at('2026-11-29T23:59:59.999Z'); // a Sunday, the last day of November's last ISO week
    const first = at('2026-11-30T00:00:00.000Z'); // the Monday after
    assert.deepEqual([iso(periodAt('daily', last).start), iso(periodAt('daily', last).end)], ['2026-11-29T00:00:00.000Z', '2026-11-30T00:00:00.000Z']);
    assert.equal(iso(periodAt('daily', first).start), '2026-11-30T00:00:00.000Z');
    assert.deepEqual([iso(periodAt('weekly', last).start), iso(periodAt('weekly', last).end)], ['2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z']);
    assert.deepEqual([iso(periodAt('weekly', first).start), iso(periodAt('weekly', first).end)], ['2026-11-30T00:00:00.000Z', '2026-12-07T00:00:00.000Z']);
    assert.deepEqual(
      [iso(periodAt('monthly', at('2026-11-30T23:59:59.999Z')).start), iso(periodAt('monthly', at('2026-11-30T23:59:59.999Z')).end)],
      ['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    );
    assert.equal(iso(periodAt('monthly', at('2026-12-01T00:00:00.000Z')).start), '2026-12-01T00:00:00.000Z');
    assert.equal(iso(periodAt('monthly', at('2028-02-29T12:00:00Z')).end), '2028-03-01T00:00:00.000Z', 'a leap February');
    assert.equal(iso(periodAt('weekly', at('2027-01-01T08:00:00Z')).start), '2026-12-28T00:00:00.000Z', 'a week across the new year');
    assert.deepEqual(
      ['daily', 'weekly', 'monthly'].map((p) => periodAt(p as 'daily', first).label),
      ['today', 'this week', 'this month'],
    );
  });
});

describe('budget declarations: manifest and setting', () => {
  it('reads budgets on the workspace, a workflow and a stage, with their offsets, and says what is wrong', () => {
    const text = `{
      // comments are fine
      "budget": { "weekly": 10, "daily": 2, "onExceeded": "cheapest" },
      "workflows": {
        "code-review": {
          "budget": { "monthly": 40, "yearly": 3 },
          "stages": { "analysis": { "tier": "cheap", "budget": { "daily": -1, "weekly": 1.5, "onExceeded": "stop" } } }
        },
        "docs": { "budget": 5, "stages": { "a": 3, "b": { "budget": { "monthly": 0 } } } },
        "flat": 7
      }
    }`;
    const parsed = parseWorkflowsManifest(text);
    assert.deepEqual(parsed.errors, [], 'a wrong budget does not make the manifest unreadable');
    assert.deepEqual(
      parsed.budgets.map((b) => [b.scope, b.period, b.limit, b.onExceeded, text.slice(b.offset!, b.offset! + b.length!)]),
      [
        [{}, 'weekly', 10, 'cheapest', '10'],
        [{}, 'daily', 2, 'cheapest', '2'],
        [{ workflow: 'code-review' }, 'monthly', 40, 'warn', '40'],
        [{ workflow: 'code-review', stage: 'analysis' }, 'weekly', 1.5, 'warn', '1.5'],
      ],
    );
    assert.deepEqual(
      parsed.problems.map((p) => [p.message, text.slice(p.offset, p.offset + p.length)]),
      [
        ['Unknown budget key "yearly" (use daily, weekly, monthly or onExceeded)', '"yearly"'],
        ['The code-review / analysis daily budget must be a number of USD above 0', '-1'],
        ['onExceeded of the code-review / analysis budget must be one of warn, cheapest, block', '"stop"'],
        ['The docs budget must be an object such as { "weekly": 10 }', '5'],
        ['The docs / b monthly budget must be a number of USD above 0', '0'],
      ],
    );
    assert.deepEqual(readManifestBudgets(parseTree('[1]')), { budgets: [], problems: [] }, 'a manifest that is not an object has none');
  });

  it('the setting is a workspace budget; a wrong key or value is refused with its name', () => {
    assert.deepEqual(
      settingBudgets({ weekly: 10, onExceeded: 'block' }).budgets.map((b) => [b.scope, b.period, b.limit, b.onExceeded, b.source]),
      [[{}, 'weekly', 10, 'block', 'setting']],
    );
    assert.deepEqual(settingBudgets(undefined), { budgets: [], errors: [] });
    assert.deepEqual(settingBudgets({ weekly: 0, hourly: 1 }).errors, [
      'adaptiveRouting.budget.weekly must be a number of USD above 0',
      'adaptiveRouting.budget: unknown key "hourly" (use daily, weekly, monthly or onExceeded)',
    ]);
    assert.deepEqual(settingBudgets({ daily: 3, onExceeded: 'nope' }).budgets[0].onExceeded, 'warn', 'an unknown mode falls back to warnings only');
    assert.deepEqual(settingBudgets([10]).errors, ['adaptiveRouting.budget must be an object such as { "weekly": 10 }']);
  });
});

describe('budget status: spend from the daily counters, thresholds and projection', () => {
  // Wednesday 2 December 2026, noon: the week began on Monday 30 November.
  const clock = fixedClock('2026-12-02T12:00:00Z');
  let store: TelemetryStore;
  const registry = new ModelRegistry();
  beforeEach(async () => {
    store = await openTelemetryStore({ now: clock.now });
  });
  afterEach(() => store.close());
  const day = (iso: string, n: number, cost: number, stage = 'analysis') =>
    store.trackLlmCalls(series(n, { end: new Date(iso), cost, stage, tier: 'cheap', model: 'claude-haiku-4-5' }));
  const budget = (over: Partial<BudgetDeclaration> = {}): BudgetDeclaration => ({
    scope: {},
    period: 'weekly',
    limit: 10,
    onExceeded: 'warn',
    source: 'manifest',
    ...over,
  });

  it('counts the period only, by scope, and marks the highest threshold reached', () => {
    day('2026-11-29T20:00:00Z', 10, 1); // Sunday: last week
    day('2026-11-30T10:00:00Z', 10, 0.4); // Monday: $4
    day('2026-12-01T10:00:00Z', 10, 0.36, 'summary'); // Tuesday: $3.60
    const [workspace, stage, daily] = budgetStatuses(store, registry, [
      budget(),
      budget({ scope: { workflow: 'code-review', stage: 'analysis' }, limit: 5 }),
      budget({ period: 'daily' }),
    ]);
    assert.ok(Math.abs(workspace.usd - 7.6) < 1e-9, String(workspace.usd));
    assert.equal(workspace.reached, 0.75);
    assert.ok(Math.abs(stage.usd - 4) < 1e-9);
    assert.equal(stage.reached, 0.75, '80% of $5');
    assert.equal(daily.usd, 0, 'nothing today');
    assert.equal(daily.reached, 0);
    day('2026-12-02T11:00:00Z', 1, 2.4);
    assert.equal(budgetStatuses(store, registry, [budget()])[0].reached, 1, '$10.00 of $10: the limit itself counts as reached');
  });

  it('projects at the last 3 days and today, with a 90% interval from their spread (hand-computed)', () => {
    // Days before today: Sunday $2, Monday $4, Tuesday $3; today by noon $1.50 (10 calls each).
    day('2026-11-29T20:00:00Z', 10, 0.2);
    day('2026-11-30T20:00:00Z', 10, 0.4);
    day('2026-12-01T20:00:00Z', 10, 0.3);
    day('2026-12-02T11:00:00Z', 10, 0.15);
    const [status] = budgetStatuses(store, registry, [budget()]);
    assert.ok(Math.abs(status.usd - 8.5) < 1e-9, 'Monday, Tuesday and today');
    const p = status.projection;
    assert.ok(p.usd !== undefined);
    // Pace: $10.50 over 3.5 days = $3/day; 4.5 days left (to Monday 7 December): 8.5 + 13.5 = 22.
    assert.ok(Math.abs(p.usd - 22) < 1e-6, String(p.usd));
    // Days $2, $4, $3: variance 1; Var = 4.5 x 1 + 4.5^2 x 1 / 3 = 11.25; half-width 1.6449 x 3.3541.
    const half = 1.6448536269514722 * Math.sqrt(11.25);
    assert.ok(Math.abs(p.low - (22 - half)) < 1e-6 && Math.abs(p.high - (22 + half)) < 1e-6, `${p.low} ${p.high}`);
    assert.equal(projectionText(status), "projected $22.00 ($16.48–$27.52) of $10.00 this week at the last 3 days' pace");
  });

  it('gives no projection on a handful of calls, and never one below what is already spent', () => {
    day('2026-12-01T20:00:00Z', 4, 1);
    const [status] = budgetStatuses(store, registry, [budget()]);
    assert.equal(status.projection.why, '4 calls in the last 3 days and today: too few to project');
    day('2026-11-30T20:00:00Z', 20, 0.01);
    day('2026-12-01T21:00:00Z', 20, 0.01);
    const p = projectBudget(store, registry, {}, periodAt('weekly', clock.now().getTime()), 100, clock.now().getTime());
    assert.ok(p.usd !== undefined && p.low === 100, 'the low end never goes under the spend so far');
  });
});

describe('budget-aware routing', () => {
  const clock = fixedClock('2026-12-02T12:00:00Z');
  let store: TelemetryStore;
  beforeEach(async () => {
    store = await openTelemetryStore({ now: clock.now });
    // haiku fails 40% at this stage; sonnet 15%, likely to meet 80% but not sure to; the stage spent $6 this week.
    store.trackLlmCalls(series(40, { end: new Date('2026-12-02T10:00:00Z'), model: 'claude-haiku-4-5', cost: 0.05, fails: (i) => i % 5 < 2 }));
    store.trackLlmCalls(series(40, { end: new Date('2026-12-02T11:00:00Z'), model: 'claude-sonnet-5', tier: 'capable', cost: 0.1, fails: (i) => i % 7 === 0 }));
  });
  afterEach(() => store.close());
  const query = { workflow: 'code-review', stage: 'analysis' };
  const routerWith = (budgets: BudgetDeclaration[], seed = 1) =>
    new AdaptiveModelRouter(store, { budgets, random: seededRandom(seed), explorationBudget: 0.5 });
  const weekly = (limit: number, onExceeded: BudgetDeclaration['onExceeded']): BudgetDeclaration => ({
    scope: { workflow: 'code-review' },
    period: 'weekly',
    limit,
    onExceeded,
    source: 'manifest',
  });

  it('under 90% of every budget, decisions are those of a router without budgets', () => {
    const plain = new AdaptiveModelRouter(store, { random: seededRandom(1), explorationBudget: 0.5 });
    const budgeted = routerWith([weekly(100, 'block')]);
    for (let i = 0; i < 30; i++) assert.deepEqual(budgeted.route(query), plain.route(query));
  });

  it('"block": the decision is blocked, says which budget and names the model that would run', () => {
    const decision = routerWith([weekly(5, 'block')]).route(query, { explore: false });
    assert.equal(decision.blocked, true);
    assert.equal(decision.model, 'claude-sonnet-5');
    assert.deepEqual(
      { ...decision.budget, spent: Math.round(decision.budget!.spent * 100) / 100 },
      {
        name: 'weekly budget of code-review',
        scope: { workflow: 'code-review' },
        period: 'weekly',
        limit: 5,
        spent: 6,
        used: decision.budget!.used,
        onExceeded: 'block',
        effect: 'blocked',
      },
    );
    assert.match(decision.reason, /^Blocked: the weekly budget of code-review \(\$6\.00 of \$5\.00\) is spent; claude-sonnet-5 is what would run otherwise\. /);
  });

  it('a workflow whose adaptive routing is off keeps its declared tier, and a spent "block" budget still blocks it', () => {
    const off = (budgets: BudgetDeclaration[]) => new AdaptiveModelRouter(store, { budgets, disabledWorkflows: ['code-review'] });
    const blocked = off([weekly(5, 'block')]).route({ ...query, tier: 'premium' });
    assert.equal(blocked.blocked, true);
    assert.equal(blocked.model, new ModelRegistry().modelForTier('premium'));
    assert.match(blocked.reason, /^Blocked: the weekly budget of code-review \(\$6\.00 of \$5\.00\) is spent; .*Adaptive routing is off for code-review/);
    const cheapest = off([weekly(5, 'cheapest')]).route({ ...query, tier: 'premium' });
    assert.equal(cheapest.budget, undefined, 'not adaptive: "cheapest" does not apply');
    assert.equal(cheapest.model, blocked.model);
  });

  it('"cheapest": the budget wins, so the stage runs on its cheapest model even short of the target, and the reason says so in one sentence', () => {
    // haiku is shown short of 80% here; a spent "cheapest" budget takes it all the same.
    const plain = routerWith([]).route(query, { explore: false });
    assert.notEqual(plain.model, 'claude-haiku-4-5', 'without the budget, the target decides');
    const router = routerWith([weekly(5, 'cheapest')]);
    const spent = router.route(query);
    assert.deepEqual([spent.model, spent.budget?.effect, spent.explored, spent.blocked], ['claude-haiku-4-5', 'cheapest', false, false]);
    assert.ok(spent.successRate !== null && spent.successRate < 0.8);
    assert.equal(
      spent.reason,
      `Budget code-review weekly $5.00 is spent, so this stage runs on the cheapest model, claude-haiku-4-5; the 80% target is not expected (${+(spent.successRate * 100).toFixed(1)}% here).`,
    );
    const easy = router.route({ ...query, minSuccessRate: 0.55 }, { explore: false });
    assert.match(easy.reason, /; the 55% target is still expected \([\d.]+% here\)\.$/);
  });

  it('"cheapest" paces: before the limit, once the rest of the period on the cheapest model would overshoot it, the stage moves to the cheapest model now', () => {
    // $6 spent by Wednesday noon in 80 calls: at that rate the rest of the week is 144 calls, $7.20 on haiku ($0.05 a call): on course for $13.20.
    const tight = routerWith([weekly(10, 'cheapest')]).route(query, { explore: false });
    assert.deepEqual([tight.model, tight.budget?.effect, tight.budget?.onCourseFor?.toFixed(2)], ['claude-haiku-4-5', 'cheapest', '13.20']);
    assert.match(
      tight.reason,
      /^Budget code-review weekly \$10\.00 will be spent before the period ends at this rate \(\$6\.00 so far, on course for \$13\.20 even on the cheapest model\), so this stage runs on the cheapest model, claude-haiku-4-5; the 80% target is not expected/,
    );
    const roomy = routerWith([weekly(20, 'cheapest')]).route(query, { explore: false });
    assert.deepEqual([roomy.model, roomy.budget], ['claude-sonnet-5', undefined], 'room left: the target decides');
    const warned = routerWith([weekly(10, 'warn')]).route(query, { explore: false });
    assert.equal(warned.model, 'claude-sonnet-5', '"warn" never paces');
  });

  it('a stage held by a spent "cheapest" budget stands as it is (no upgrade recommended); the next period brings the target back', () => {
    const router = routerWith([weekly(5, 'cheapest')]);
    const held = recommendStage(router, 'code-review', 'analysis', { tier: 'cheap' });
    assert.deepEqual(
      [held.model, held.change, held.confident, held.decision.budget?.effect, held.verdict],
      ['claude-haiku-4-5', 'keep', false, 'cheapest', 'held-by-budget'],
    );
    const free = recommendStage(routerWith([]), 'code-review', 'analysis', { tier: 'cheap' });
    assert.deepEqual([free.model, free.change], ['claude-sonnet-5', 'upgrade'], 'without the budget, the same stage needs an upgrade');
    clock.advance(5 * 86_400_000); // Monday 2026-12-07: a new ISO week, nothing spent in it yet
    try {
      const next = recommendStage(router, 'code-review', 'analysis', { tier: 'cheap' });
      assert.deepEqual([next.model, next.change, next.decision.budget], ['claude-sonnet-5', 'upgrade', undefined]);
    } finally {
      clock.advance(-5 * 86_400_000); // the clock is shared by this describe's tests
    }
  });

  it('"cheapest" stays within the stage’s hard limits (the cheapest model that keeps them), and "warn" keeps the target first', async () => {
    const other = await openTelemetryStore({ now: clock.now });
    other.trackLlmCalls(
      series(40, { end: new Date('2026-12-02T10:00:00Z'), model: 'claude-haiku-4-5', cost: 0.01, durationMs: 5000, fails: (i) => i % 9 === 0 || i % 9 === 5 }),
    );
    other.trackLlmCalls(series(10, { end: new Date('2026-12-02T11:00:00Z'), model: 'claude-sonnet-5', tier: 'capable', cost: 0.03 }));
    const spent = (onExceeded: BudgetDeclaration['onExceeded']): BudgetDeclaration => ({
      scope: {},
      period: 'weekly',
      limit: 0.1,
      onExceeded,
      source: 'setting',
    });
    const plain = new AdaptiveModelRouter(other, { random: seededRandom(1) }).route(query, { explore: false });
    assert.equal(plain.model, 'claude-sonnet-5');
    const cheap = new AdaptiveModelRouter(other, { random: seededRandom(1), budgets: [spent('cheapest')] }).route(query);
    assert.deepEqual([cheap.model, cheap.explored, cheap.budget?.effect], ['claude-haiku-4-5', false, 'cheapest']);
    assert.match(
      cheap.reason,
      /^Budget workspace weekly \$0\.10 is spent, so this stage runs on the cheapest model, claude-haiku-4-5; the 80% target is not expected/,
    );
    const limited = new AdaptiveModelRouter(other, { random: seededRandom(1), budgets: [spent('cheapest')] }).route({ ...query, maxLatencyMs: 2000 });
    assert.equal(limited.model, 'claude-sonnet-5', 'haiku breaks the latency limit: the cheapest model within it');
    const warned = new AdaptiveModelRouter(other, { random: seededRandom(1), budgets: [spent('warn')] }).route(query, { explore: false });
    assert.equal(warned.model, 'claude-sonnet-5', '"warn" keeps the target first');
    other.close();
  });

  it('near the limit (90%) and past it with "warn": exploration never tries a pricier model than the best guess', () => {
    const pricier = (router: AdaptiveModelRouter) => {
      let count = 0;
      for (let i = 0; i < 300; i++) if (['claude-fable-5', 'claude-opus-4-8'].includes(router.route(query).model)) count++;
      return count;
    };
    assert.ok(pricier(routerWith([], 3)) > 0, 'without a budget, some draws try pricier models');
    for (const limit of [6.5, 5]) {
      const router = routerWith([weekly(limit, 'warn')], 3);
      assert.equal(pricier(router), 0, `at ${Math.round((6 / limit) * 100)}% of the budget`);
      assert.match(router.route(query).reason, /^Near the weekly budget of code-review \(\$6\.00 of \$\d\.\d\d\): no tries of pricier models\. /);
    }
  });

  it('reads the spend again once enough calls are recorded, and when the period turns', () => {
    const router = routerWith([weekly(6.5, 'block')]);
    assert.equal(router.route(query).blocked, false, '$6.00 of $6.50');
    // One by one, as a workflow records its calls (they wait in memory for their insert).
    const more = series(BUDGET_REFRESH_CALLS, { end: new Date('2026-12-02T11:30:00Z'), model: 'claude-sonnet-5', tier: 'capable', cost: 0.1 });
    for (const call of more.slice(0, -1)) store.trackLlmCall(call);
    assert.equal(router.route(query).blocked, false, `$6.90 of $6.50, but fewer than ${BUDGET_REFRESH_CALLS} calls since the last read`);
    store.trackLlmCall(more[more.length - 1]);
    assert.equal(router.route(query).blocked, true, '$7.00 of $6.50, read again');
    clock.advance(5 * 86_400_000); // Monday 7 December: a new week
    try {
      assert.equal(router.route(query).budget, undefined, 'nothing spent yet this week');
    } finally {
      clock.advance(-5 * 86_400_000);
    }
  });
});

describe('budget notices: each threshold once per budget and period', () => {
  const span = periodAt('weekly', at('2026-12-02T12:00:00Z'));
  const status = (reached: number, over: Partial<BudgetDeclaration> = {}, s = span) =>
    ({ budget: { scope: {}, period: 'weekly', limit: 10, onExceeded: 'warn', source: 'manifest', ...over }, span: s, reached }) as unknown as BudgetStatus;
  const now = at('2026-12-02T12:00:00Z');

  it('notices a new threshold once, the highest of a jump only, and again in the next period', () => {
    let { due, seen } = dueNotices([status(0.5)], {}, now);
    assert.equal(due.length, 1);
    ({ due, seen } = dueNotices([status(0.5)], seen, now));
    assert.equal(due.length, 0, 'the same threshold again: nothing');
    ({ due, seen } = dueNotices([status(0.9)], seen, now));
    assert.deepEqual(
      due.map((s) => s.reached),
      [0.9],
      'from 50% to 90% at once: the 90% notice only',
    );
    assert.equal(dueNotices([status(0.75)], seen, now).due.length, 0, 'a lower threshold after a higher one: nothing');
    const nextWeek = periodAt('weekly', span.end);
    assert.equal(dueNotices([status(0.5, {}, nextWeek)], seen, now).due.length, 1, 'a new period starts over');
    assert.equal(dueNotices([status(0.5, { scope: { workflow: 'w' } })], seen, now).due.length, 1, 'another budget has its own');
    assert.equal(dueNotices([status(0)], {}, now).due.length, 0, 'under 50%: nothing');
  });

  it('forgets the periods that ended long ago, and keeps the recent ones', () => {
    const old = periodAt('weekly', at('2026-09-01T00:00:00Z'));
    const { seen } = dueNotices([status(1, {}, old), status(0.5)], {}, now);
    assert.equal(Object.keys(seen).length, 2);
    const later = dueNotices([], seen, now);
    assert.deepEqual(Object.keys(later.seen), [noticeKey(status(0.5))], 'September is forgotten');
  });
});

describe('budget report', () => {
  const span = periodAt('weekly', at('2026-12-02T12:00:00Z'));
  const status = (usd: number, limit: number, over: Partial<BudgetStatus> = {}): BudgetStatus => ({
    budget: { scope: { workflow: 'w' }, period: 'weekly', limit, onExceeded: 'warn', source: 'manifest' },
    span,
    spent: { reported: usd, reportedCalls: usd ? 10 : 0, reportedSqSum: 0, estimated: 0, estimatedCalls: 0, unknownCalls: 0 },
    usd,
    used: usd / limit,
    reached: [1, 0.9, 0.75, 0.5].find((t) => usd / limit >= t) ?? 0,
    projection: { why: '4 calls in the last 3 days and today: too few to project' },
    ...over,
  });

  it('one line per budget with its mark, spend, share, its one state (spent, projected over, on track) and projection', () => {
    const over = status(6, 10, { projection: { usd: 14.2, low: 12.1, high: 16.3, paceDays: 3.5 } });
    const text = formatBudgetReport([status(10.5, 10), status(9.2, 10), over, status(0, 10)], new Date('2026-12-02T12:34:56Z'));
    assert.equal(
      text,
      [
        '',
        'ADAPTIVE ROUTING - BUDGETS (2026-12-02 12:34 UTC)',
        '',
        '❌ w · weekly: $10.50 of $10.00 this week (105%, spent; on exceeding: warn)',
        '    no projection: 4 calls in the last 3 days and today: too few to project',
        '✓ w · weekly: $9.20 of $10.00 this week (92%, on track; on exceeding: warn)',
        '    no projection: 4 calls in the last 3 days and today: too few to project',
        '⚠️  w · weekly: $6.00 of $10.00 this week (60%, projected over; on exceeding: warn)',
        "    projected $14.20 ($12.10–$16.30) of $10.00 this week at the last 3 days' pace",
        '✓ w · weekly: $0.00 of $10.00 this week (0%, on track; on exceeding: warn)',
        '    no projection: 4 calls in the last 3 days and today: too few to project',
      ].join('\n'),
    );
    const unknown = status(0.6112, 0.5821, { spent: { ...status(0.6112, 0.5821).spent, unknownCalls: 4 } });
    assert.equal(
      formatBudgetReport([unknown], new Date('2026-12-02T12:34:56Z')).split('\n')[3],
      '❌ w · weekly: $0.6112 of $0.5821 this week (105%, spent; on exceeding: warn); 4 calls of unknown cost not counted',
      'calls of unknown cost are said after the sum, not inside it',
    );
    assert.deepEqual([status(10, 10), over, status(9.99, 10)].map(budgetSentence), [
      'The weekly budget of w is spent: $10.00 of $10.00 this week.',
      "The weekly budget of w is projected over: $6.00 of $10.00 this week so far, on course for $14.20 ($12.10–$16.30) at the last 3 days' pace.",
      'The weekly budget of w is on track: $9.99 of $10.00 this week.',
    ]);
    assert.equal(
      budgetSentence(status(5, 10, { projection: { usd: 9, low: 8, high: 10, paceDays: 3 } })),
      "The weekly budget of w is on track: $5.00 of $10.00 this week so far, on course for $9.00 ($8.00–$10.00) at the last 3 days' pace.",
    );
    assert.deepEqual([status(10, 10), over, status(9.99, 10)].map(budgetState), ['spent', 'projected-over', 'ok']);
    assert.equal(budgetShort(status(7.4, 10)), '$7.40 / $10.00 this week');
    assert.equal(tightestBudget([status(2, 10), status(9, 10), status(5, 10)]).usd, 9, 'the one nearest its limit');
    assert.equal(budgetShort(status(7.4, 10, { spent: { ...status(7.4, 10).spent, estimatedCalls: 2 } })), '≈ $7.40 / $10.00 this week', 'an estimate says so');
  });

  it("the budgets of a stage are the workspace's, its workflow's and its own", () => {
    const b = (scope: BudgetDeclaration['scope']): BudgetDeclaration => ({ scope, period: 'daily', limit: 1, onExceeded: 'warn', source: 'manifest' });
    const all = [b({}), b({ workflow: 'w' }), b({ workflow: 'w', stage: 's' }), b({ workflow: 'w', stage: 't' }), b({ workflow: 'v' })];
    assert.deepEqual(budgetsOf(all, 'w', 's'), all.slice(0, 3));
    assert.deepEqual(budgetsOf(all, 'v', 's'), [all[0], all[4]]);
  });
});
