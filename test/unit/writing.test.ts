import { strict as assert } from 'assert';
import { AdaptiveModelRouter, closestName, counted, generateSampleCalls, money, openTelemetryStore, pct, periodText, windowStart } from '../../src/core';
import { buildOverview } from '../../src/core/stats/overview';
import { formatRecommendationCheck, formatRoutingStats, formatUpgradeCheck } from '../../src/core/stats/report';
import { overviewSavings } from '../../src/core/stats/savings';
import { editorSafeText } from '../../src/core/format';
import { fixedClock } from './helpers';

describe('how numbers and names are written', () => {
  it('pct rounds to one decimal: up past a half, ties to even, no minus on a zero', () => {
    assert.equal(pct(2 / 3), '66.7%');
    assert.equal(pct(1 / 3), '33.3%');
    assert.equal(pct(0.0625), '6.2%');
    assert.equal(pct(0.1875), '18.8%');
    assert.equal(pct(-0.25), '-25.0%');
    assert.equal(pct(-0.0001), '0.0%');
    assert.equal(pct(0.004), '0.4%');
    assert.equal(pct(Number.NaN), 'NaN%');
    assert.equal(pct(Infinity), 'Infinity%');
  });

  it('money has four places, and a dash for an unknown cost', () => {
    assert.equal(money(0.00123), '$0.0012');
    assert.equal(money(null), '—');
    assert.equal(money(undefined), '—');
  });

  it('counted agrees the noun with the number', () => {
    assert.equal(counted(1, 'call'), '1 call');
    assert.equal(counted(0, 'call'), '0 calls');
    assert.equal(counted(2, 'stage needs', 'stages need'), '2 stages need');
    assert.equal(counted(1500, 'call'), '1,500 calls');
  });

  it('periodText names days, hours, minutes and all time', () => {
    assert.equal(periodText(7), 'last 7 days');
    assert.equal(periodText(1), 'last day');
    assert.equal(periodText(1.5), 'last 1.5 days');
    assert.equal(periodText(0.5), 'last 12 hours');
    assert.equal(periodText(1 / 24), 'last 1 hour');
    assert.equal(periodText(0.001), 'last 1 minute');
    assert.equal(periodText(0.01), 'last 14 minutes');
    assert.equal(periodText(0), 'all time');
    assert.equal(periodText(-1), 'all time');
  });

  it('closestName finds the nearest known name within the allowed edits, case aside', () => {
    assert.equal(closestName('sucess', ['success', 'stage']), 'success');
    assert.equal(closestName('Stage', ['success', 'stage']), 'stage');
    assert.equal(closestName('analysys', ['analysis', 'summary'], 2), 'analysis');
    assert.equal(closestName('xyz', ['analysis', 'summary']), undefined);
    assert.equal(closestName('ab', ['abcd'], 1), undefined, 'two edits away with one allowed');
    assert.equal(closestName('ab', ['abcd'], 2), 'abcd');
    assert.equal(closestName('tst', ['test', 'ts']), 'test', 'the first of two equally near names');
    assert.equal(closestName('stage', ['stages', 'stage']), 'stage', 'a nearer name later in the list wins');
    assert.equal(closestName('cod-review', ['code-review', 'refactor-plan']), 'code-review');
  });

  it('windowStart is now minus the days, or 0 for all time', () => {
    assert.equal(windowStart(10 * 86_400_000, 3), 7 * 86_400_000);
    assert.equal(windowStart(10 * 86_400_000, 0), 0);
    assert.equal(windowStart(10 * 86_400_000, Infinity), 0);
  });
});

describe('reports opened in the editor', () => {
  // Glyphs every editor font draws: ASCII, Latin-1, and the WGL4 punctuation, arrows and maths the reports use.
  const drawable = /^[\u0000-\u00ff\u2013\u2014\u2022\u2026\u2190-\u2193\u2248\u221a]*$/u;

  it('have no glyph an editor font may lack: emoji and check marks become WGL4 glyphs, the words stay', async () => {
    const clock = fixedClock();
    const store = await openTelemetryStore({ now: clock.now });
    store.trackLlmCalls(generateSampleCalls({ now: clock.now() }));
    const router = new AdaptiveModelRouter(store);
    const overview = buildOverview(store, router);
    const stages = overview.flatMap((w) => w.stages);
    const reports = [
      formatRecommendationCheck(
        stages.map((s) => s.recommendation!),
        7,
        'Checking 3 workflows',
        'Last 7 days',
        overviewSavings(stages, { days: 7, minSampleSize: 10 }),
      ),
      formatUpgradeCheck(
        stages.map((s) => s.verdict),
        7,
      ),
      formatRoutingStats(router.getRoutingStats('code-review')),
    ];
    assert.ok(
      reports.some((r) => /[📊📈⚠💡💰✓]/u.test(r)),
      'the CLI format has emoji (upstream parity)',
    );
    for (const report of reports) {
      const safe = editorSafeText(report);
      assert.match(safe, drawable, [...safe].filter((c) => !drawable.test(c)).join(' '));
      assert.equal(safe.replace(/[!×√]/g, '').replace(/\s+/g, ' '), report.replace(/[📊📈💰💡❌✓✗]|⚠️/gu, '').replace(/\s+/g, ' '), 'only the glyphs change');
    }
    assert.equal(
      editorSafeText('⚠️  2 stages need a tier upgrade:\n✓ 1 stage performing well:\n❌ w · weekly'),
      '! 2 stages need a tier upgrade:\n√ 1 stage performing well:\n× w · weekly',
    );
    store.close();
  });
});
