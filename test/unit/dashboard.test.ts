import { strict as assert } from 'assert';
import { AdaptiveModelRouter, ModelRegistry, TelemetryStore, generateSampleCalls, openTelemetryStore, type LlmCallInput } from '../../src/core';
import { dashboardData } from '../../src/core/dashboard/dashboardData';
import { verdictText } from '../../src/core/routing/recommendation';
import { parseFromDashboard, parseToDashboard } from '../../src/core/dashboard/dashboardMessages';
import { buildOverview } from '../../src/core/stats/overview';
import { fixedClock } from './helpers';

describe('dashboard: the data the page draws, and the messages both ways', () => {
  const clock = fixedClock();
  const registry = new ModelRegistry();
  let store: TelemetryStore;
  let router: AdaptiveModelRouter;
  const targets = (workflow: string, stage: string) => (workflow === 'test-generation' && stage === 'generate' ? { tier: 'capable', minSuccessRate: 0.9 } : {});
  const options = { days: 7, minSampleSize: 10, failureRateThreshold: 0.2, rangeLabel: 'Last 7 days' };
  beforeEach(async () => {
    store = await openTelemetryStore({ now: clock.now });
    store.trackLlmCalls(generateSampleCalls({ now: clock.now() }));
    router = new AdaptiveModelRouter(store, { registry });
  });
  afterEach(() => store.close());

  const stages = () => buildOverview(store, router, targets).flatMap((w) => w.stages);

  it('the workspace: every series a value per UTC day of the range, tiers adding up to the calls, a row per stage', () => {
    const overview = stages();
    const data = dashboardData(store, registry, overview, { workflow: null, stage: null }, options);
    assert.equal(data.days.length, 7);
    assert.equal(data.days[6], clock.now().toISOString().slice(0, 10), 'today last');
    for (const s of [...data.spend, ...data.callsByTier]) assert.equal(s.values.length, 7);
    data.days.forEach((_, i) =>
      assert.equal(
        data.callsByTier.reduce((n, t) => n + t.values[i], 0),
        data.success.calls[i],
      ),
    );
    assert.ok(data.success.calls.reduce((a, b) => a + b, 0) > 0);
    assert.deepEqual([data.success.target, data.success.threshold], [null, null], 'no target lines for many stages');
    assert.deepEqual(
      data.stages.map((r) => `${r.workflow}/${r.stage}`),
      overview.map((s) => `${s.workflow}/${s.stage}`),
    );
    assert.equal(
      data.totals.calls,
      overview.reduce((n, s) => n + s.calls, 0),
    );
    for (const row of data.stages) {
      const stage = overview.find((s) => s.workflow === row.workflow && s.stage === row.stage)!;
      assert.equal(row.recommended, stage.recommendation!.model, 'the one recommendation the tree shows');
      assert.equal(row.verdict, stage.recommendation!.verdict, 'the one verdict the tree shows');
      assert.equal(row.verdictText, verdictText(stage.recommendation!));
      assert.match(row.savingsText, row.savingsPerWeek === null ? /^no estimate: / : /\(\$[\d.]+–\$[\d.]+\)/, 'an estimate carries its interval');
    }
    assert.match(
      data.totals.savingsText,
      /^(could save ~\$[\d.,]+ \/ week \(.+\) on \d+ stages?|reaching the targets costs ~\+\$[\d.,]+ \/ week \(.+\) on \d+ stages?|no stage has the confident evidence .*|no savings estimate: .+)$/,
    );
  });

  it('one stage: only its calls, its target and the upgrade threshold as lines', () => {
    const overview = stages();
    const generate = overview.find((s) => s.workflow === 'test-generation' && s.stage === 'generate')!;
    const data = dashboardData(store, registry, overview, { workflow: 'test-generation', stage: 'generate' }, options);
    assert.deepEqual([data.success.target, data.success.threshold], [0.9, 0.8]);
    assert.deepEqual(
      data.stages.map((r) => r.stage),
      ['generate'],
    );
    assert.equal(data.totals.calls, generate.calls);
    // Where the recommendation costs more than the stage spends now, the summary says what, not "no saving".
    const analysis = dashboardData(store, registry, overview, { workflow: 'code-review', stage: 'analysis' }, options);
    assert.ok(analysis.stages[0].savingsPerWeek! < 0, analysis.stages[0].savingsText);
    assert.match(analysis.totals.savingsText, /^reaching the targets costs ~\+\$[\d.]+ \/ week \(\$[\d.]+–\$[\d.]+\) on 1 stage$/);
    const workflow = dashboardData(store, registry, overview, { workflow: 'test-generation', stage: null }, options);
    assert.ok(workflow.stages.length > 1 && workflow.stages.every((r) => r.workflow === 'test-generation'));
    assert.ok(
      workflow.success.calls.every((n, i) => n >= data.success.calls[i]),
      'a workflow counts at least its stage',
    );
  });

  it('exact numbers on a hand-made workspace: the scope, the days, each series, the totals', async () => {
    const small = await openTelemetryStore({ now: clock.now });
    try {
      const at = (daysAgo: number) => new Date(clock.now().getTime() - daysAgo * 86_400_000 - 60_000);
      const call = (daysAgo: number, over: Partial<LlmCallInput> & { model: string }): LlmCallInput => ({
        workflow: 'w',
        stage: 'a',
        durationMs: 900,
        ts: at(daysAgo),
        success: true,
        ...over,
      });
      small.trackLlmCalls([
        call(0, { model: 'claude-haiku-4-5', tier: 'cheap', cost: 0.01 }),
        call(0, { model: 'claude-haiku-4-5', tier: 'cheap', cost: 0.03, success: false }),
        call(1, { model: 'claude-haiku-4-5', tier: 'cheap' }), // no cost, no tokens: unknown
        call(2, { stage: '', model: 'claude-sonnet-5', tier: 'capable', cost: 0.05 }),
        call(0, { workflow: 'x', stage: 'b', model: 'claude-fable-5', tier: 'premium', cost: 1 }),
      ]);
      const smallRouter = new AdaptiveModelRouter(small, { registry, days: 3 });
      const overview = buildOverview(small, smallRouter).flatMap((w) => w.stages);
      const data = dashboardData(small, registry, overview, { workflow: 'w', stage: null }, { ...options, days: 3 });
      const day = (daysAgo: number) => at(daysAgo).toISOString().slice(0, 10);
      assert.deepEqual(data.days, [day(2), day(1), day(0)]);
      const spend = Object.fromEntries(data.spend.map((m) => [m.model, m.values.map((v) => Math.round(v * 1e6) / 1e6)]));
      assert.deepEqual(spend, { 'claude-haiku-4-5': [0, 0, 0.04], 'claude-sonnet-5': [0.05, 0, 0] }, 'the other workflow left out');
      assert.equal(data.unknownCostCalls, 1);
      // A model's colour is its place among the workspace's models (x's fable too), whatever the scope.
      const colours = (d: typeof data) => Object.fromEntries(d.spend.map((m) => [m.model, m.colour]));
      assert.deepEqual(colours(data), { 'claude-haiku-4-5': 1, 'claude-sonnet-5': 2 });
      assert.deepEqual(colours(dashboardData(small, registry, overview, { workflow: null, stage: null }, { ...options, days: 3 })), {
        'claude-fable-5': 0,
        'claude-haiku-4-5': 1,
        'claude-sonnet-5': 2,
      });
      assert.deepEqual(
        data.callsByTier.map((t) => [t.tier, t.values]),
        [
          ['cheap', [0, 1, 2]],
          ['capable', [1, 0, 0]],
          ['premium', [0, 0, 0]],
          ['unknown', [0, 0, 0]],
        ],
      );
      assert.deepEqual(
        [data.success.calls, data.success.rate],
        [
          [1, 1, 2],
          [1, 1, 0.5],
        ],
      );
      assert.deepEqual([data.success.target, data.success.threshold], [null, null]);
      assert.deepEqual(
        data.stages.map((r) => [r.stage, r.calls]),
        [
          ['', 1],
          ['a', 3],
        ],
      );
      assert.deepEqual(
        [data.totals.calls, data.totals.spendText, data.totals.savingsText],
        [4, '$0.09; 1 call of unknown cost', 'no stage has the confident evidence a savings estimate needs yet (each row says why)'],
      );
      // All time: the reason every stage shares, as the CLI gives it.
      assert.equal(
        dashboardData(small, registry, overview, { workflow: 'w', stage: null }, { ...options, days: 0 }).totals.savingsText,
        'no savings estimate: choose a time range of days to project spend per week',
      );
      assert.equal(data.rangeLabel, 'Last 7 days');
      // The workflow-level stage ('') is a stage of its own, with the target and threshold lines.
      const root = dashboardData(small, registry, overview, { workflow: 'w', stage: '' }, { ...options, days: 3 });
      assert.deepEqual(
        root.stages.map((r) => r.stage),
        [''],
      );
      assert.deepEqual([root.success.calls, root.success.target, root.success.threshold], [[1, 0, 0], 0.8, 0.8]);
      assert.equal(root.totals.calls, 1);
      // All time starts at the first call's day; a part of a day ("today") is one day.
      assert.deepEqual(dashboardData(small, registry, overview, { workflow: 'w', stage: null }, { ...options, days: 0 }).days, [day(2), day(1), day(0)]);
      assert.deepEqual(dashboardData(small, registry, overview, { workflow: 'w', stage: null }, { ...options, days: 0.5 }).days, [day(0)]);
      // The whole workspace takes every workflow.
      assert.equal(dashboardData(small, registry, overview, { workflow: null, stage: null }, { ...options, days: 3 }).totals.calls, 5);
    } finally {
      small.dispose();
    }
  });

  it('the totals line: what the confident estimates save (on 1 stage or N stages), else what reaching the targets costs, both with their interval', () => {
    const overview = stages();
    const data = dashboardData(store, registry, overview, { workflow: null, stage: null }, options);
    const saving = data.stages.filter((r) => r.savingsPerWeek !== null && r.savingsPerWeek > 0).length;
    const numbers = (text: string) => [...text.matchAll(/\$([\d,.]+)/g)].map((m) => Number(m[1].replace(/,/g, '')));
    if (saving) {
      assert.match(data.totals.savingsText, new RegExp(`^could save ~\\$[\\d.,]+ / week \\(.+\\) on ${saving} stage${saving === 1 ? '' : 's'}$`));
    }
    const analysis = dashboardData(store, registry, overview, { workflow: 'code-review', stage: 'analysis' }, options);
    const [perWeek, low, high] = numbers(analysis.totals.savingsText);
    assert.ok(low <= perWeek && perWeek <= high && low < high, `the interval holds the estimate, low to high: ${analysis.totals.savingsText}`);
    assert.ok(Math.abs(perWeek + analysis.stages[0].savingsPerWeek!) < 0.01, 'the cost of reaching the target is the stage estimate, turned positive');
  });

  it('the page takes only well-formed data: every series as long as the days, names as text, rates within 0..1', () => {
    const data = dashboardData(store, registry, stages(), { workflow: null, stage: null }, options);
    const message = JSON.parse(JSON.stringify({ type: 'data', generation: 1, data }));
    assert.ok(parseToDashboard(message), 'what the extension sends');
    const broken = (edit: (d: typeof data) => void) => {
      const copy = JSON.parse(JSON.stringify(message));
      edit(copy.data);
      return parseToDashboard(copy);
    };
    assert.equal(
      broken((d) => d.spend[0].values.pop()),
      undefined,
      'a series shorter than the days',
    );
    assert.equal(
      broken((d) => ((d.spend[0].values as unknown[])[0] = '12')),
      undefined,
      'a number as text',
    );
    assert.equal(
      broken((d) => (d.success.target = 1.5)),
      undefined,
      'a rate above 1',
    );
    assert.equal(
      broken((d) => (d.stages[0].workflow = 'x'.repeat(201))),
      undefined,
      'a name longer than any the store keeps',
    );
    assert.equal(
      broken((d) => (d.days[0] = '<img src=x>')),
      undefined,
      'a day that is not a date',
    );
    assert.equal(
      broken((d) => (d.scope = { workflow: null, stage: 'orphan' })),
      undefined,
      'a stage without its workflow',
    );
    assert.equal(parseToDashboard({ type: 'data', generation: -1, data }), undefined);
    assert.equal(parseToDashboard('data'), undefined);
  });

  it('the extension takes only the page messages it knows, exactly', () => {
    assert.deepEqual(parseFromDashboard({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseFromDashboard({ type: 'rendered', generation: 3, days: 7, charts: [3, 5, 2], calls: 120 }), {
      type: 'rendered',
      generation: 3,
      days: 7,
      charts: [3, 5, 2],
      calls: 120,
    });
    assert.deepEqual(parseFromDashboard({ type: 'scope', scope: { workflow: 'code-review', stage: '' }, extra: 1 }), {
      type: 'scope',
      scope: { workflow: 'code-review', stage: '' },
    });
    for (const bad of [
      null,
      'ready',
      [],
      { type: 'run', command: 'workbench.action.terminal.new' },
      { type: 'rendered', generation: 1, days: -1, charts: [], calls: 0 },
      { type: 'rendered', generation: 1, days: 7, charts: [1.5], calls: 0 },
      { type: 'scope', scope: { workflow: null, stage: 'x' } },
      { type: 'scope', scope: { workflow: 'x'.repeat(201), stage: null } },
      { type: 'scope', scope: { workflow: 7, stage: null } },
      { type: 'scope' },
    ])
      assert.equal(parseFromDashboard(bad), undefined, JSON.stringify(bad));
  });
});
