import { describeEvidence } from './failureEvidence';
import { savingsText, type overviewSavings } from './savings';
import { spendText } from './spend';
import { StageRecommendation, evidenceText, tierMove } from '../routing/recommendation';
import type { RoutingStats, TierUpgradeVerdict } from '../routing/routerTypes';
import { periodText } from '../timeWindow';
import { capitalised, counted, dollarRange, dollars, money, pct, stageLabel } from '../format';

/** Human-readable reports in the seed's layout, shared by the CLI and the extension's reports. */
const RULE = '='.repeat(70);
const THIN = '-'.repeat(70);

export function formatRoutingStats(stats: RoutingStats): string {
  const lines: string[] = ['', RULE, `ADAPTIVE ROUTING STATISTICS - ${stats.workflow}`];
  if (stats.stage !== 'all') lines.push(`Stage: ${stats.stage}`);
  lines.push(RULE, '', `📊 Overview (${capitalised(periodText(stats.daysAnalyzed))})`);
  lines.push(`  Total calls: ${stats.totalCalls.toLocaleString('en-US')}`);
  lines.push(`  Average cost: ${money(stats.avgCost)}`);
  lines.push(`  Spend: ${spendText(stats.spend)}`);
  lines.push(`  Average success rate: ${pct(stats.avgSuccessRate)}`);
  lines.push(`  Models used: ${stats.modelsUsed.join(', ') || '(none)'}`);
  lines.push('', '📈 Per-Model Performance', THIN);
  for (const model of stats.modelsUsed) {
    const perf = stats.performanceByModel[model];
    lines.push('', `  ${model}${perf.tier ? ` (${perf.tier})` : ''}:`);
    lines.push(`    Calls: ${perf.calls.toLocaleString('en-US')}`);
    lines.push(`    Success rate: ${pct(perf.successRate)}`);
    lines.push(`    Avg cost: ${money(perf.avgCost)}`);
    lines.push(
      `    Avg latency: ${perf.avgLatencyMs == null ? '—' : `${Math.round(perf.avgLatencyMs)}ms`} (p95 ${perf.p95LatencyMs == null ? '—' : `${Math.round(perf.p95LatencyMs)}ms`})`,
    );
    lines.push(`    Cost per success: ${money(perf.costPerSuccess)}`);
    lines.push(`    Spend: ${spendText(perf.spend)}`);
  }
  return lines.join('\n');
}

export function formatUpgradeCheck(verdicts: TierUpgradeVerdict[], days: number, title?: string): string {
  const lines: string[] = ['', RULE, 'ADAPTIVE ROUTING - TIER UPGRADE RECOMMENDATIONS', RULE];
  if (title) lines.push('', title);
  lines.push(`Analysis period: ${capitalised(periodText(days))}`, '');
  const needed = verdicts.filter((v) => v.upgrade);
  const thin = verdicts.filter((v) => !v.upgrade && v.recentCalls === 0);
  const fine = verdicts.filter((v) => !v.upgrade && v.recentCalls > 0);
  if (needed.length) {
    lines.push(`⚠️  ${counted(needed.length, 'stage needs', 'stages need')} a tier upgrade:`, THIN);
    for (const v of needed) {
      const move = v.currentTier && v.recommendedTier ? ` ${v.currentTier.toUpperCase()} → ${v.recommendedTier.toUpperCase()}` : '';
      lines.push(`  • ${label(v)}${move}`, `    ${v.reason}`, `    ${confidenceText(v)}`);
    }
    lines.push('');
  }
  if (fine.length) {
    lines.push(`✓ ${counted(fine.length, 'stage', 'stages')} performing well:`, THIN);
    for (const v of fine) lines.push(`  • ${label(v)}: ${v.reason}`);
    lines.push('');
  }
  if (thin.length) {
    lines.push(`? ${counted(thin.length, 'stage has', 'stages have')} too few calls to judge yet:`, THIN);
    for (const v of thin) lines.push(`  • ${label(v)}: ${v.reason}`);
    lines.push('');
  }
  lines.push(
    needed.length
      ? '💡 Action: upgrade the tier of those stages (quick fix in VS Code), or let route() adapt them.'
      : '✓ All stages performing well - no upgrades needed',
  );
  return lines.join('\n');
}

export function confidenceText(v: TierUpgradeVerdict): string {
  return describeEvidence(v.evidence);
}

function label(v: TierUpgradeVerdict): string {
  return v.stage === 'all' ? v.workflow : stageLabel(v);
}

/**
 * The routing check in the seed's layout, driven by each stage's recommendation (the same answer
 * every other surface shows): upgrades first, then stages a cheaper tier could serve, then the rest.
 */
export function formatRecommendationCheck(
  recommendations: StageRecommendation[],
  days: number,
  title?: string,
  period = periodText(days),
  savings?: ReturnType<typeof overviewSavings>,
): string {
  const lines: string[] = ['', RULE, 'ADAPTIVE ROUTING - TIER RECOMMENDATIONS', RULE];
  if (title) lines.push('', title);
  lines.push(`Analysis period: ${capitalised(period)}`, '');
  if (recommendations.length === 0) {
    lines.push(`No calls in the period (${period}): nothing to check. Widen it (--days, or the view's time range) or record calls first.`);
    return lines.join('\n');
  }
  const upgrades = recommendations.filter((r) => r.change === 'upgrade');
  const downgrades = recommendations.filter((r) => r.change === 'downgrade');
  const rest = recommendations.filter((r) => r.change !== 'upgrade' && r.change !== 'downgrade');
  const kept = rest.filter((r) => r.verdict !== 'thin-evidence');
  const thin = rest.filter((r) => r.verdict === 'thin-evidence');
  const entry = (r: StageRecommendation) => {
    lines.push(`  • ${stageLabel(r)} ${tierMove(r)}: ${r.model}`, `    ${r.reason}`);
    const evidence = evidenceText(r);
    if (evidence) lines.push(`    ${evidence}`);
  };
  if (upgrades.length) {
    lines.push(`⚠️  ${counted(upgrades.length, 'stage needs', 'stages need')} a tier upgrade:`, THIN);
    upgrades.forEach(entry);
    lines.push('');
  }
  if (downgrades.length) {
    lines.push(`↓ ${counted(downgrades.length, 'stage', 'stages')} could run on a cheaper tier:`, THIN);
    downgrades.forEach(entry);
    lines.push('');
  }
  if (kept.length) {
    lines.push(`✓ ${counted(kept.length, 'stage keeps its', 'stages keep their')} tier:`, THIN);
    for (const r of kept) lines.push(`  • ${stageLabel(r)}: ${r.model} - ${r.reason}`);
    lines.push('');
  }
  if (thin.length) {
    lines.push(`? ${counted(thin.length, 'stage has', 'stages have')} too few calls to judge yet:`, THIN);
    for (const r of thin) lines.push(`  • ${stageLabel(r)} (${counted(r.calls, 'call')}): ${r.model}${r.fallback ? ' (default)' : ''} - ${r.reason}`);
    lines.push('');
  }
  lines.push(
    upgrades.length
      ? '💡 Action: raise the tier of those stages (quick fix in VS Code), or let route() adapt them.'
      : kept.length || downgrades.length
        ? '✓ No stage needs a tier upgrade'
        : 'No stage has enough calls for a verdict yet.',
  );
  if (savings) lines.push('', ...savingsSection(savings));
  return lines.join('\n');
}

/** What the stages spent, and what their recommendations would save or cost per week where the evidence is confident. */
function savingsSection({ spend, stages, total }: ReturnType<typeof overviewSavings>): string[] {
  const lines = ['💰 Spend and savings', THIN, `  Spent: ${spendText(spend)}`];
  const estimates = stages.flatMap((s) => (s.estimate ? [s.estimate] : []));
  if (total.stages) lines.push(`  Could save ~${dollars(total.perWeek)} / week (${dollarRange(total.low, total.high)}, 90% interval):`);
  for (const e of estimates.filter((x) => x.direction === 'save')) lines.push(`    • ${stageLabel(e)}: ${savingsText(e)}`);
  const costs = estimates.filter((x) => x.direction === 'spend');
  if (costs.length) lines.push('  Reaching the target costs more on:', ...costs.map((e) => `    • ${stageLabel(e)}: ${savingsText(e)}`));
  if (!estimates.length) lines.push('  No stage has the confident evidence a savings estimate needs yet (adaptive-routing savings says why, stage by stage).');
  return lines;
}
