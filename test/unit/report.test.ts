import { strict as assert } from 'assert';
import type { RoutingStats, TierUpgradeVerdict } from '../../src/core';
import { capitalised } from '../../src/core/format';
import { changeText, definedOnly, evidenceText, tierMove } from '../../src/core/routing/recommendation';
import { recommendation } from '../builders/recommendations';
import { failureEvidence } from '../../src/core/stats/failureEvidence';
import { confidenceText, formatRecommendationCheck, formatRoutingStats, formatUpgradeCheck } from '../../src/core/stats/report';

const RULE = '='.repeat(70);
const THIN = '-'.repeat(70);

function verdict(v: Partial<TierUpgradeVerdict> & { workflow: string; stage: string }): TierUpgradeVerdict {
  const evidence = failureEvidence(v.recentFailures ?? 0, v.recentCalls ?? 0, 0.2);
  return {
    upgrade: false,
    reason: 'ok',
    currentTier: null,
    recommendedTier: null,
    sampleSize: 0,
    recentCalls: 0,
    recentFailures: 0,
    failureRate: 0,
    interval: evidence.interval,
    confident: false,
    evidence,
    ...v,
  };
}

describe('reports in the seed layout', () => {
  it('routing statistics: the overview, then each model (unknown numbers as a dash)', () => {
    const stats: RoutingStats = {
      workflow: 'code-review',
      stage: 'analysis',
      daysAnalyzed: 7,
      modelsUsed: ['claude-haiku-4-5', 'custom'],
      performanceByModel: {
        'claude-haiku-4-5': {
          calls: 1234,
          successRate: 0.8,
          avgCost: 0.0012,
          avgLatencyMs: 1234.5,
          p95LatencyMs: 2000.4,
          costPerSuccess: 0.0015,
          tier: 'cheap',
          spend: { reported: 1.2, reportedCalls: 1000, reportedSqSum: 0, estimated: 0.28, estimatedCalls: 234, unknownCalls: 0 },
        },
        custom: {
          calls: 3,
          successRate: 1,
          avgCost: null,
          avgLatencyMs: null,
          p95LatencyMs: null,
          costPerSuccess: null,
          tier: null,
          spend: { reported: 0, reportedCalls: 0, reportedSqSum: 0, estimated: 0, estimatedCalls: 0, unknownCalls: 3 },
        },
      },
      totalCalls: 1237,
      avgCost: 0.0012,
      avgSuccessRate: 0.8,
      spend: { reported: 1.2, reportedCalls: 1000, reportedSqSum: 0, estimated: 0.28, estimatedCalls: 234, unknownCalls: 3 },
    };
    assert.equal(
      formatRoutingStats(stats),
      [
        '',
        RULE,
        'ADAPTIVE ROUTING STATISTICS - code-review',
        'Stage: analysis',
        RULE,
        '',
        '📊 Overview (Last 7 days)',
        '  Total calls: 1,237',
        '  Average cost: $0.0012',
        '  Spend: $1.48 (≈ $0.28 of it estimated); 3 calls of unknown cost',
        '  Average success rate: 80.0%',
        '  Models used: claude-haiku-4-5, custom',
        '',
        '📈 Per-Model Performance',
        THIN,
        '',
        '  claude-haiku-4-5 (cheap):',
        '    Calls: 1,234',
        '    Success rate: 80.0%',
        '    Avg cost: $0.0012',
        '    Avg latency: 1235ms (p95 2000ms)',
        '    Cost per success: $0.0015',
        '    Spend: $1.48 (≈ $0.28 of it estimated)',
        '',
        '  custom:',
        '    Calls: 3',
        '    Success rate: 100.0%',
        '    Avg cost: —',
        '    Avg latency: — (p95 —)',
        '    Cost per success: —',
        '    Spend: —',
      ].join('\n'),
    );
    const empty = formatRoutingStats({ ...stats, stage: 'all', daysAnalyzed: 0, modelsUsed: [], performanceByModel: {}, totalCalls: 0, avgCost: null });
    assert.ok(!empty.includes('Stage:'), 'no stage line for a whole workflow');
    assert.match(empty, /📊 Overview \(All time\)\n {2}Total calls: 0\n {2}Average cost: —\n/);
    assert.ok(empty.includes('  Models used: (none)'));
  });

  it('tier upgrade check: stages needing an upgrade, then those doing well, then those too thin to judge', () => {
    const text = formatUpgradeCheck(
      [
        verdict({
          workflow: 'w',
          stage: 'a',
          upgrade: true,
          reason: 'fails',
          currentTier: 'cheap',
          recommendedTier: 'capable',
          recentCalls: 100,
          recentFailures: 26,
        }),
        verdict({ workflow: 'w', stage: '', upgrade: true, reason: 'fails too', recentCalls: 10, recentFailures: 3 }),
        verdict({ workflow: 'w', stage: 'b', reason: 'fine', recentCalls: 30 }),
        verdict({ workflow: 'x', stage: 'all', reason: 'no calls', recentCalls: 0 }),
      ],
      7,
      'For the tests',
    );
    assert.equal(
      text,
      [
        '',
        RULE,
        'ADAPTIVE ROUTING - TIER UPGRADE RECOMMENDATIONS',
        RULE,
        '',
        'For the tests',
        'Analysis period: Last 7 days',
        '',
        '⚠️  2 stages need a tier upgrade:',
        THIN,
        '  • w / a CHEAP → CAPABLE',
        '    fails',
        `    ${confidenceText(verdict({ workflow: 'w', stage: 'a', recentCalls: 100, recentFailures: 26 }))}`,
        '  • w / (no stage)',
        '    fails too',
        '    Not yet certain: failure rate 8.7%–60.7% (90% interval) over 10 calls; a healthy stage may show up to 15.0% (threshold 20.0%)',
        '',
        '✓ 1 stage performing well:',
        THIN,
        '  • w / b: fine',
        '',
        '? 1 stage has too few calls to judge yet:',
        THIN,
        '  • x: no calls',
        '',
        '💡 Action: upgrade the tier of those stages (quick fix in VS Code), or let route() adapt them.',
      ].join('\n'),
    );
    const allWell = formatUpgradeCheck([verdict({ workflow: 'w', stage: 'b', recentCalls: 30 })], 1);
    assert.ok(!allWell.includes('\nFor'), 'no title line without a title');
    assert.ok(allWell.includes('Analysis period: Last day\n'));
    assert.ok(allWell.endsWith('\n✓ All stages performing well - no upgrades needed'));
    assert.ok(!allWell.includes('⚠️') && !allWell.includes('? '));
  });

  it('recommendation check: upgrades, downgrades, kept tiers, thin stages, each with its evidence', () => {
    const upgrade = recommendation({
      stage: 'u',
      change: 'upgrade',
      model: 'claude-sonnet-5',
      tier: 'capable',
      reason: 'cheap falls short',
      evidence: failureEvidence(26, 100, 0.2),
    });
    const text = formatRecommendationCheck(
      [
        upgrade,
        recommendation({ stage: 'd', change: 'downgrade', currentTier: 'premium', reason: 'cheap is enough' }),
        recommendation({ stage: 'k', reason: 'meets the target' }),
        recommendation({ stage: '', judged: false, calls: 1, fallback: true, reason: 'no data' }),
        recommendation({ stage: 't', judged: false, calls: 4, change: 'unknown', reason: 'few calls' }),
      ],
      7,
      'Title',
    );
    assert.equal(
      text,
      [
        '',
        RULE,
        'ADAPTIVE ROUTING - TIER RECOMMENDATIONS',
        RULE,
        '',
        'Title',
        'Analysis period: Last 7 days',
        '',
        '⚠️  1 stage needs a tier upgrade:',
        THIN,
        '  • w / u CHEAP → CAPABLE: claude-sonnet-5',
        '    cheap falls short',
        `    cheap calls here: ${confidenceText(verdict({ workflow: 'w', stage: 'u', recentCalls: 100, recentFailures: 26 }))}`,
        '',
        '↓ 1 stage could run on a cheaper tier:',
        THIN,
        '  • w / d PREMIUM → CHEAP: claude-haiku-4-5',
        '    cheap is enough',
        '',
        '✓ 1 stage keeps its tier:',
        THIN,
        '  • w / k: claude-haiku-4-5 - meets the target',
        '',
        '? 2 stages have too few calls to judge yet:',
        THIN,
        '  • w / (no stage) (1 call): claude-haiku-4-5 (default) - no data',
        '  • w / t (4 calls): claude-haiku-4-5 - few calls',
        '',
        '💡 Action: raise the tier of those stages (quick fix in VS Code), or let route() adapt them.',
      ].join('\n'),
    );
    const keepOnly = formatRecommendationCheck([recommendation({ stage: 'k' })], 7);
    assert.ok(keepOnly.endsWith('\n✓ No stage needs a tier upgrade') && !keepOnly.includes('Title'));
    const downOnly = formatRecommendationCheck([recommendation({ stage: 'd', change: 'downgrade', currentTier: 'capable' })], 7);
    assert.ok(downOnly.endsWith('\n✓ No stage needs a tier upgrade'));
    const thinOnly = formatRecommendationCheck([recommendation({ stage: 't', judged: false })], 7);
    assert.ok(thinOnly.endsWith('\nNo stage has enough calls for a verdict yet.'));
    assert.ok(
      formatRecommendationCheck([], 3).endsWith(
        "\nAnalysis period: Last 3 days\n\nNo calls in the period (last 3 days): nothing to check. Widen it (--days, or the view's time range) or record calls first.",
      ),
    );
    assert.ok(formatRecommendationCheck([], 3, undefined, 'this week').includes('Analysis period: This week'));
  });

  it('recommendation check: spend and savings at the end, each stage with its estimate, or a word on why there are none', () => {
    const estimate = (stage: string, perWeek: number, direction: 'save' | 'spend') => ({
      workflow: 'w',
      stage,
      estimate: {
        workflow: 'w',
        stage,
        model: direction === 'save' ? 'claude-haiku-4-5' : 'claude-fable-5',
        target: 0.8,
        direction,
        spentPerWeek: 10,
        wouldSpendPerWeek: 10 - perWeek,
        perWeek,
        low: perWeek - 1,
        high: perWeek + 1,
        perSuccess: { now: null, recommended: null },
      },
    });
    const spend = { reported: 38.2, reportedCalls: 100, reportedSqSum: 20, estimated: 0, estimatedCalls: 0, unknownCalls: 0 };
    const text = formatRecommendationCheck([recommendation({ stage: 'k' })], 7, undefined, undefined, {
      spend,
      stages: [estimate('a', 4.1, 'save'), estimate('b', -1.2, 'spend'), { workflow: 'w', stage: 'c', why: 'too few calls' }],
      total: { perWeek: 4.1, low: 3.1, high: 5.1, stages: 1 },
    });
    assert.ok(
      text.endsWith(
        [
          '✓ No stage needs a tier upgrade',
          '',
          '💰 Spend and savings',
          THIN,
          '  Spent: $38.20',
          '  Could save ~$4.10 / week ($3.10–$5.10, 90% interval):',
          '    • w / a: could save ~$4.10 / week ($3.10–$5.10) on claude-haiku-4-5',
          '  Reaching the target costs more on:',
          '    • w / b: +$1.20 / week ($0.20–$2.20) to reach 80% on claude-fable-5',
        ].join('\n'),
      ),
      text,
    );
    const none = formatRecommendationCheck([recommendation({ stage: 'k' })], 7, undefined, undefined, {
      spend,
      stages: [{ workflow: 'w', stage: 'c', why: 'too few calls' }],
      total: { perWeek: 0, low: 0, high: 0, stages: 0 },
    });
    assert.ok(
      none.endsWith('  Spent: $38.20\n  No stage has the confident evidence a savings estimate needs yet (adaptive-routing savings says why, stage by stage).'),
      none,
    );
  });

  it('the one-line texts of a recommendation', () => {
    const upgrade = recommendation({
      stage: 'u',
      change: 'upgrade',
      model: 'claude-sonnet-5',
      tier: 'capable',
      target: 0.9,
      evidence: failureEvidence(26, 100, 0.1),
    });
    assert.equal(tierMove(upgrade), 'CHEAP → CAPABLE');
    assert.equal(tierMove(recommendation({ stage: 'd', change: 'downgrade', currentTier: 'premium' })), 'PREMIUM → CHEAP');
    assert.equal(tierMove(recommendation({ stage: 'k' })), undefined);
    assert.equal(tierMove(recommendation({ stage: 'x', change: 'unknown' })), undefined);
    assert.equal(evidenceText(recommendation({ stage: 'k' })), undefined);
    assert.match(evidenceText(upgrade)!, /^cheap calls here: Confident: failure rate /);
    assert.equal(changeText(recommendation({ stage: 'k' })), undefined);
    assert.equal(changeText(upgrade), `CHEAP → CAPABLE: claude-sonnet-5 is recommended for the 90.0% target. ${capitalised(evidenceText(upgrade)!)}.`);
    assert.equal(
      changeText(recommendation({ stage: 'd', change: 'downgrade', currentTier: 'premium' })),
      'PREMIUM → CHEAP: claude-haiku-4-5 is recommended for the 80.0% target.',
    );
    assert.deepEqual(definedOnly({ a: 1, b: undefined, c: null, d: 0 }), { a: 1, c: null, d: 0 });
  });
});
