import type { ModelRegistry } from '../routing/registry';
import { verdictText } from '../routing/recommendation';
import type { TelemetryStore } from '../store/telemetryStore';
import { dailySeries } from '../stats/dailySeries';
import type { StageOverview } from '../stats/overview';
import { stageSavings, savingsText, totalSavings, type StageSavings } from '../stats/savings';
import { NO_SPEND, addSpend, spendText, spendTotal } from '../stats/spend';
import { dollarRange, dollars } from '../format';
import type { DashboardData, DashboardScope, DashboardStageRow } from './dashboardTypes';

export interface DashboardOptions {
  /** Days of the range (the tree's); 0 for all time. Fractions ("today") count as one day. */
  days: number;
  minSampleSize: number;
  /** The recent-failure rule's failure rate above which a stage should move up (its success line is 1 minus it). */
  failureRateThreshold: number;
  rangeLabel: string;
  now?: Date;
}

/**
 * The dashboard's data for a scope, from the daily counters (the charts) and the overview the tree
 * shows (the table), so that the page and the tree never disagree on a stage.
 */
export function dashboardData(
  store: TelemetryStore,
  registry: ModelRegistry,
  overview: StageOverview[],
  scope: DashboardScope,
  options: DashboardOptions,
): DashboardData {
  const days = options.days > 0 ? Math.max(1, Math.ceil(options.days)) : 0;
  const series = dailySeries(store, registry, { workflow: scope.workflow ?? undefined, stage: scope.stage ?? undefined }, { days, now: options.now });
  const inScope = overview.filter((s) => (!scope.workflow || s.workflow === scope.workflow) && (scope.stage === null || s.stage === scope.stage));
  const savings = inScope.map((s) => stageSavings(s, { days: options.days, minSampleSize: options.minSampleSize }));
  const rows = inScope.map((s, i) => stageRow(s, savings[i]));
  const estimates = savings.flatMap((s) => s.estimate ?? []);
  const total = totalSavings(estimates);
  // Where nothing saves, what the recommendations would cost instead (an upgrade's price, with its interval).
  const costs = totalSavings(
    estimates.filter((e) => e.direction === 'spend').map((e) => ({ ...e, direction: 'save' as const, perWeek: -e.perWeek, low: -e.high, high: -e.low })),
  );
  const single = scope.stage !== null ? inScope[0] : undefined;
  // Colours by the workspace's models (every stage of the overview, and the series'), not the scope's.
  const models = [...new Set([...overview.flatMap((s) => s.models.map((m) => m.model)), ...series.models.map((m) => m.model)])].sort();
  const colourOf = (model: string) => models.indexOf(model);
  return {
    scope,
    rangeLabel: options.rangeLabel,
    days: series.days,
    spend: series.models.map((m) => ({ model: m.model, tier: m.tier, values: m.spend, estimated: m.estimated, colour: colourOf(m.model) })),
    unknownCostCalls: series.models.reduce((n, m) => n + m.unknownCalls.reduce((a, b) => a + b, 0), 0),
    callsByTier: (['cheap', 'capable', 'premium', 'unknown'] as const).map((tier) => ({ tier, values: series.tiers[tier] })),
    success: {
      calls: series.success.map((d) => d.calls),
      rate: series.success.map((d) => d.rate),
      low: series.success.map((d) => d.low),
      high: series.success.map((d) => d.high),
      target: single?.recommendation?.target ?? null,
      threshold: scope.stage !== null ? 1 - options.failureRateThreshold : null,
    },
    stages: rows,
    totals: {
      calls: inScope.reduce((n, s) => n + s.calls, 0),
      spendText: spendText(inScope.reduce((sum, s) => addSpend(sum, s.spend), NO_SPEND)),
      savingsText: total.stages
        ? `could save ~${dollars(total.perWeek)} / week (${dollarRange(total.low, total.high)}) on ${total.stages} stage${total.stages === 1 ? '' : 's'}`
        : costs.stages
          ? `reaching the targets costs ~+${dollars(costs.perWeek)} / week (${dollarRange(costs.low, costs.high)}) on ${costs.stages} stage${costs.stages === 1 ? '' : 's'}`
          : noSavingText(savings),
    },
  };
}

function stageRow(s: StageOverview, savings: StageSavings): DashboardStageRow {
  const r = s.recommendation;
  return {
    workflow: s.workflow,
    stage: s.stage,
    calls: s.calls,
    spend: spendTotal(s.spend),
    spendText: spendText(s.spend),
    savingsPerWeek: savings.estimate ? savings.estimate.perWeek : null,
    savingsText: savings.estimate ? savingsText(savings.estimate) : `no estimate: ${savings.why}`,
    recommended: r?.model ?? '…',
    verdict: r ? r.verdict : 'working-out',
    verdictText: r ? verdictText(r) : 'working out…',
  };
}

/** Why there is no savings total, as the CLI says it: the stages' one reason when they share it (all time, say), else where to look. */
function noSavingText(savings: StageSavings[]): string {
  const whys = new Set(savings.flatMap((s) => (s.why ? [s.why] : [])));
  if (whys.size === 1) return `no savings estimate: ${[...whys][0]}`;
  return savings.length ? 'no stage has the confident evidence a savings estimate needs yet (each row says why)' : 'no calls in this scope and range';
}
