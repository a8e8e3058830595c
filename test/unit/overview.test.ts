import { strict as assert } from 'assert';
import { AdaptiveModelRouter, TelemetryStore, generateSampleCalls, openTelemetryStore, recommendStage } from '../../src/core';
import { addDecisions, buildOverview, buildOverviewInSlices, needsUpgrade, overviewRows, toCsv } from '../../src/core/stats/overview';
import { fixedClock } from './helpers';

describe('overview: one pass over the telemetry for every surface', () => {
  const clock = fixedClock();
  let store: TelemetryStore;
  let router: AdaptiveModelRouter;
  const targets = (workflow: string, stage: string) => (workflow === 'test-generation' && stage === 'generate' ? { tier: 'capable', minSuccessRate: 0.9 } : {});
  beforeEach(async () => {
    store = await openTelemetryStore({ now: clock.now });
    store.trackLlmCalls(generateSampleCalls({ now: clock.now() }));
    router = new AdaptiveModelRouter(store);
  });
  afterEach(() => store.close());

  it("gives each workflow its stages' numbers, the seed's verdict and the one recommendation", () => {
    const overview = buildOverview(store, router, targets);
    assert.deepEqual(
      overview.map((w) => w.workflow),
      ['code-review', 'refactor-plan', 'test-generation'],
    );
    for (const w of overview) {
      assert.equal(
        w.calls,
        w.stages.reduce((n, s) => n + s.calls, 0),
      );
      assert.equal(w.upgradesNeeded, w.stages.filter((s) => s.recommendation!.change === 'upgrade').length);
      for (const s of w.stages) {
        const stats = router.getRoutingStats(w.workflow, { stage: s.stage, days: router.days, latencyPercentiles: false });
        assert.equal(s.calls, stats.totalCalls);
        assert.deepEqual(
          s.models.map((m) => [m.model, m.calls, m.enoughData]),
          stats.modelsUsed.map((model) => [model, stats.performanceByModel[model].calls, stats.performanceByModel[model].calls >= router.minSampleSize]),
        );
        assert.deepEqual(s.verdict, router.recommendTierUpgrade(w.workflow, s.stage));
        assert.deepEqual(s.recommendation, recommendStage(router, w.workflow, s.stage, targets(w.workflow, s.stage)));
      }
    }
    const generate = overview.find((w) => w.workflow === 'test-generation')!.stages.find((s) => s.stage === 'generate')!;
    assert.equal(generate.recommendation!.target, 0.9, "the stage's own target");
    assert.ok(overview.reduce((n, w) => n + w.upgradesNeeded, 0) >= 1, 'the sample has a stage to upgrade');
    const checklist = overview.find((w) => w.workflow === 'refactor-plan')!.stages.find((s) => s.stage === 'checklist')!;
    assert.deepEqual(
      checklist.models.map((m) => m.enoughData),
      [false],
      '6 calls: not enough for a rate',
    );
  });

  it("a scope reads only its workflows and stage, and takes the caller's recommendations instead of working them out again", () => {
    const full = buildOverview(store, router, targets);
    const part = buildOverview(store, router, targets, { workflows: ['test-generation', 'refactor-plan'], stage: 'generate' });
    assert.deepEqual(
      part.map((w) => [w.workflow, w.stages.map((s) => s.stage)]),
      [
        ['refactor-plan', []],
        ['test-generation', ['generate']],
      ],
    );
    const generate = full.find((w) => w.workflow === 'test-generation')!.stages.find((s) => s.stage === 'generate')!;
    assert.deepEqual(part[1].stages[0], generate, 'the same numbers as the whole overview');
    const given = { ...generate.recommendation!, model: 'given-model' };
    const asked: string[] = [];
    const taken = buildOverview(store, router, targets, {
      workflows: ['test-generation'],
      recommendationOf: (workflow, stage) => (asked.push(`${workflow}/${stage}`), stage === 'generate' ? given : undefined),
    });
    assert.deepEqual(asked.sort(), taken[0].stages.map((s) => `test-generation/${s.stage}`).sort());
    for (const s of taken[0].stages)
      assert.deepEqual(s.recommendation, s.stage === 'generate' ? given : recommendStage(router, s.workflow, s.stage, targets(s.workflow, s.stage)));
  });

  it('in slices: the same overview without decisions first, then addDecisions fills them into a new one', async () => {
    let pauses = 0;
    const pause = async () => void pauses++;
    const quick = await buildOverviewInSlices(store, router, targets, pause, { decisions: false, sliceMs: 0 });
    assert.equal(pauses, 3, 'with a zero slice, a pause after each workflow');
    assert.equal(quick.timing.slices, 4);
    assert.ok(quick.timing.longestSliceMs <= quick.timing.totalMs && quick.timing.totalMs < 60_000, JSON.stringify(quick.timing));
    assert.ok(quick.overview.every((w) => w.upgradesNeeded === 0 && w.stages.every((s) => s.recommendation === undefined)));
    const full = buildOverview(store, router, targets);
    assert.deepEqual(
      quick.overview.map((w) => ({ ...w, upgradesNeeded: 0, stages: w.stages.map((s) => ({ ...s, recommendation: undefined })) })),
      full.map((w) => ({ ...w, upgradesNeeded: 0, stages: w.stages.map((s) => ({ ...s, recommendation: undefined })) })),
    );
    pauses = 0;
    const decided = await addDecisions(quick.overview, router, targets, pause, 60_000);
    assert.equal(pauses, 0, 'a long slice needs no pause');
    assert.equal(decided.timing.slices, 1);
    assert.deepEqual(decided.overview, full);
    assert.ok(
      quick.overview.every((w) => w.stages.every((s) => s.recommendation === undefined)),
      'the overview given is left as it was',
    );
    const inOne = await buildOverviewInSlices(store, router, targets, pause, { decisions: true });
    assert.deepEqual(inOne.overview, full);
  });

  it('export rows: one per stage and model, with the recommendation, or nulls before it is known', () => {
    const overview = buildOverview(store, router, targets);
    const rows = overviewRows(overview);
    assert.equal(
      rows.length,
      overview.reduce((n, w) => n + w.stages.reduce((m, s) => m + s.models.length, 0), 0),
    );
    const analysis = overview[0].stages.find((s) => s.stage === 'analysis')!;
    const model = analysis.models[0];
    assert.deepEqual(
      rows.find((r) => r.stage === 'analysis' && r.model === model.model),
      {
        workflow: 'code-review',
        stage: 'analysis',
        model: model.model,
        tier: model.tier,
        calls: model.calls,
        successRate: model.successRate,
        avgCostUsd: model.avgCost,
        costPerSuccessUsd: model.costPerSuccess,
        avgLatencyMs: model.avgLatencyMs,
        p95LatencyMs: model.p95LatencyMs,
        spendUsd: model.spend.reported,
        spendEstimatedUsd: 0,
        spendUnknownCalls: 0,
        recommendedModel: analysis.recommendation!.model,
        recommendedTier: analysis.recommendation!.tier,
        needsUpgrade: needsUpgrade(analysis),
        recommendation: analysis.recommendation!.reason,
        verdict: analysis.verdict.reason,
      },
    );
    assert.ok(model.spend.reportedCalls === model.calls && model.spend.reported > 0, 'the sample data reports every cost');
    assert.equal(
      analysis.spend.reported,
      analysis.models.reduce((usd, m) => usd + m.spend.reported, 0),
      "a stage's spend is its models'",
    );
    assert.equal(
      overview[0].spend.reportedCalls,
      overview[0].stages.reduce((n, s) => n + s.spend.reportedCalls, 0),
      "a workflow's spend is its stages'",
    );
    const unpriced = overviewRows([
      {
        ...overview[0],
        stages: [
          {
            ...analysis,
            models: [{ ...model, spend: { reported: 0.01, reportedCalls: 1, reportedSqSum: 0, estimated: 0.02, estimatedCalls: 2, unknownCalls: 3 } }],
          },
        ],
      },
    ])[0];
    assert.deepEqual([unpriced.spendUsd, unpriced.spendEstimatedUsd, unpriced.spendUnknownCalls], [0.03, 0.02, 3]);
    const unknown = overviewRows([
      {
        ...overview[0],
        stages: [
          { ...analysis, models: [{ ...model, spend: { reported: 0, reportedCalls: 0, reportedSqSum: 0, estimated: 0, estimatedCalls: 0, unknownCalls: 4 } }] },
        ],
      },
    ])[0];
    assert.deepEqual([unknown.spendUsd, unknown.spendEstimatedUsd, unknown.spendUnknownCalls], [null, 0, 4], 'nobody knows: no number');
    const bare = overviewRows([{ ...overview[0], stages: [{ ...analysis, recommendation: undefined }] }]);
    assert.deepEqual([bare[0].recommendedModel, bare[0].recommendedTier, bare[0].needsUpgrade, bare[0].recommendation], [null, null, false, null]);
  });

  it('CSV: RFC 4180 quoting, CRLF, nothing a spreadsheet would run as a formula', () => {
    assert.equal(toCsv([]), '');
    const csv = toCsv([
      { name: 'plain', n: 3, ok: true, none: null },
      { name: 'a, "quoted"\nvalue', n: -5, ok: false, none: null },
      { name: '=HYPERLINK("x")', n: 0, ok: true, none: '+1' },
      { name: '-2', n: 1.5, ok: true, none: '@home' },
      { name: '\tTab', n: 2, ok: true, none: '\rcr' },
      { name: 'a=b+c', n: 3, ok: true, none: 'x-1@y' },
    ]);
    assert.equal(
      csv,
      'name,n,ok,none\r\n' +
        'plain,3,true,\r\n' +
        '"a, ""quoted""\nvalue",-5,false,\r\n' +
        `"'=HYPERLINK(""x"")",0,true,'+1\r\n` +
        "'-2,1.5,true,'@home\r\n" +
        '\'\tTab,2,true,"\'\rcr"\r\n' +
        'a=b+c,3,true,x-1@y\r\n',
    );
  });
});
