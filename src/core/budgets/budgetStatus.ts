import type { ModelRegistry } from '../routing/registry';
import { NO_SPEND, Spend, addSpend, spendOf, spendTotal } from '../stats/spend';
import { dollarRange, dollars } from '../format';
import { normalQuantile } from '../stats/statistics';
import type { TelemetryStore } from '../store/telemetryStore';
import { DAY_MS } from '../timeWindow';
import { budgetName, type BudgetDeclaration, type BudgetScope } from './budgetDeclarations';
import { PeriodSpan, periodAt } from './budgetPeriods';

/** The shares of a budget that warnings mark: 50%, 75%, 90% and the limit itself. */
export const BUDGET_THRESHOLDS = [0.5, 0.75, 0.9, 1] as const;
/** Whole UTC days before today whose spend sets the pace of a projection. */
export const PACE_DAYS = 3;
/** Calls the pace needs before a projection is given (never a confident number from a handful). */
export const MIN_PACE_CALLS = 10;
const Z90 = normalQuantile(0.95);

/** Where a budget's period will end at the recent pace, with a 90% interval; or why there is no projection. */
export type BudgetProjection = { usd: number; low: number; high: number; paceDays: number; why?: undefined } | { usd?: undefined; why: string };

export interface BudgetStatus {
  budget: BudgetDeclaration;
  span: PeriodSpan;
  /** What the scope's calls cost in the period so far (billed, estimated, unknown). */
  spent: Spend;
  /** USD known so far (billed and estimated), and its share of the limit. */
  usd: number;
  used: number;
  /** The highest of BUDGET_THRESHOLDS the spend has reached, or 0. */
  reached: number;
  projection: BudgetProjection;
}

/**
 * What the scope's calls cost from `since` on. From whole UTC days, this is the store's daily
 * counters alone (every writer's calls once loaded, no scan of raw calls).
 */
export function scopeSpend(store: TelemetryStore, registry: ModelRegistry, scope: BudgetScope, since: number): Spend {
  const workflows = scope.workflow ? [scope.workflow] : store.workflows(since);
  let spend: Spend = NO_SPEND;
  for (const workflow of workflows)
    for (const aggregate of store.aggregateByModel({ workflow, stage: scope.stage, since }))
      spend = addSpend(spend, spendOf(aggregate.model, aggregate, registry));
  return spend;
}

/** Whether a share of a budget reaches a threshold, whatever the float sums say ($7.60 + $2.40 of $10 is 100%). */
export function reaches(used: number, threshold: number): boolean {
  return used >= threshold - 1e-9;
}

/** Calls in a spend: billed, estimated and of unknown cost. */
export function spendCalls(spend: Spend): number {
  return spend.reportedCalls + spend.estimatedCalls + spend.unknownCalls;
}

/** Each budget's spend in its current period, the thresholds it reached, and its projection. */
export function budgetStatuses(store: TelemetryStore, registry: ModelRegistry, budgets: readonly BudgetDeclaration[]): BudgetStatus[] {
  const now = store.now().getTime();
  return budgets.map((budget) => {
    const span = periodAt(budget.period, now);
    const spent = scopeSpend(store, registry, budget.scope, span.start);
    const usd = spendTotal(spent) ?? 0;
    const used = usd / budget.limit;
    const reached = [...BUDGET_THRESHOLDS].reverse().find((t) => reaches(used, t)) ?? 0;
    return { budget, span, spent, usd, used, reached, projection: projectBudget(store, registry, budget.scope, span, usd, now) };
  });
}

/**
 * The period's spend at its end if the last PACE_DAYS whole days and today so far set the pace: the
 * spend so far plus the pace times the time left. The 90% interval takes the day-to-day spread of
 * those days, both in the days left and in the pace itself (as the mean of PACE_DAYS days).
 */
export function projectBudget(
  store: TelemetryStore,
  registry: ModelRegistry,
  scope: BudgetScope,
  span: PeriodSpan,
  usd: number,
  now: number,
): BudgetProjection {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  // The scope's known spend on each of the PACE_DAYS days before today and on today so far (index
  // PACE_DAYS, with anything later), and its calls, in one read of the daily counters.
  const from = today - PACE_DAYS * DAY_MS;
  const spent = new Array<number>(PACE_DAYS + 1).fill(0);
  let paceCalls = 0;
  for (const workflow of scope.workflow ? [scope.workflow] : store.workflows(from))
    for (const r of store.dailyAggregates({ workflow, stage: scope.stage }, from)) {
      const i = Math.min(PACE_DAYS, r.day - from / DAY_MS);
      const s = spendOf(r.model, r, registry);
      paceCalls += r.calls;
      spent[i] += s.reported + s.estimated;
    }
  if (paceCalls < MIN_PACE_CALLS) return { why: `${paceCalls} calls in the last ${PACE_DAYS} days and today: too few to project` };
  const days = spent.slice(0, PACE_DAYS);
  const paceDays = PACE_DAYS + (now - today) / DAY_MS;
  const perDay = spent.reduce((a, b) => a + b, 0) / paceDays;
  const left = Math.max(0, (span.end - now) / DAY_MS);
  const mean = days.reduce((a, b) => a + b, 0) / PACE_DAYS;
  const variance = days.reduce((a, d) => a + (d - mean) ** 2, 0) / (PACE_DAYS - 1);
  const projected = usd + perDay * left;
  const half = Z90 * Math.sqrt(left * variance + (left * left * variance) / PACE_DAYS);
  return { usd: projected, low: Math.max(usd, projected - half), high: projected + half, paceDays };
}

/** The budgets that apply to a stage: the workspace's, its workflow's and its own. */
export function budgetsOf(budgets: readonly BudgetDeclaration[], workflow: string, stage: string): BudgetDeclaration[] {
  return budgets.filter((b) => (!b.scope.workflow || b.scope.workflow === workflow) && (!b.scope.stage || b.scope.stage === stage));
}

/** The budget nearest its limit (the largest share used): what the status bar, a tree row and a notice show first. */
export function tightestBudget<T extends { used: number }>(statuses: readonly T[]): T {
  return statuses.reduce((a, b) => (b.used > a.used ? b : a));
}

/**
 * A budget's one state, named the same on every surface (status bar, tooltip, report, Problems, CLI):
 * `spent` from the limit on; `projected-over` when the period is on course to end over it at the
 * recent pace (a projection needs enough calls); `ok` otherwise.
 */
export type BudgetState = 'ok' | 'projected-over' | 'spent';

export function budgetState(status: BudgetStatus): BudgetState {
  if (reaches(status.used, 1)) return 'spent';
  return status.projection.usd !== undefined && status.projection.usd > status.budget.limit ? 'projected-over' : 'ok';
}

/** The state in words: "on track", "projected over", "spent". */
export function budgetStateText(status: BudgetStatus): string {
  return { ok: 'on track', 'projected-over': 'projected over', spent: 'spent' }[budgetState(status)];
}

/**
 * The state in one sentence with its verb: "The weekly budget of w is spent: $10.50 of $10.00 this week.",
 * "... is projected over: $7.40 of $10.00 this week so far, on course for $14.20 ($12.10–$16.30) at the last 3 days' pace."
 */
export function budgetSentence(status: BudgetStatus): string {
  const name = budgetName(status.budget);
  const so = `${dollars(status.usd)} of ${dollars(status.budget.limit)} ${status.span.label}`;
  const p = status.projection;
  const course = p.usd !== undefined ? `, on course for ${dollars(p.usd)} (${dollarRange(p.low, p.high)}) at the last ${PACE_DAYS} days' pace` : '';
  switch (budgetState(status)) {
    case 'spent':
      return `The ${name} is spent: ${so}.`;
    case 'projected-over':
      return `The ${name} is projected over: ${so} so far${course}.`;
    case 'ok':
      return `The ${name} is on track: ${so}${course ? ` so far${course}` : ''}.`;
  }
}

/** "projected $14.20 ($12.10–$16.30) of $10.00 this week at the last 3 days' pace", or why there is no projection. */
export function projectionText(status: BudgetStatus): string {
  const p = status.projection;
  if (p.why !== undefined) return `no projection: ${p.why}`;
  return `projected ${dollars(p.usd)} (${dollarRange(p.low, p.high)}) of ${dollars(status.budget.limit)} ${status.span.label} at the last ${PACE_DAYS} days' pace`;
}

/** "$7.40 / $10.00 this week" (≈ when part of the spend is estimated), for the status bar. */
export function budgetShort(status: BudgetStatus): string {
  return `${status.spent.estimatedCalls > 0 ? '≈ ' : ''}${dollars(status.usd)} / ${dollars(status.budget.limit)} ${status.span.label}`;
}
