import type { ModelRegistry } from '../routing/registry';
import { spendTotal } from '../stats/spend';
import type { TelemetryStore } from '../store/telemetryStore';
import type { Clock } from '../types';
import { BudgetDeclaration, OnExceeded, budgetName } from './budgetDeclarations';
import { periodAt } from './budgetPeriods';
import { budgetsOf, reaches, scopeSpend } from './budgetStatus';

/** The share of a budget from which route() stops exploring pricier models. */
export const NEAR_LIMIT = 0.9;
/** Calls recorded after which a budget's spend is read again (between reads it may lag that many). */
export const BUDGET_REFRESH_CALLS = 10;

/** The budget that shaped a decision, as RouteDecision.budget reports it. */
export interface BudgetInfluence {
  /** "weekly budget of code-review". */
  name: string;
  scope: BudgetDeclaration['scope'];
  period: BudgetDeclaration['period'];
  limit: number;
  /** USD spent in the period when last read, and its share of the limit. */
  spent: number;
  used: number;
  onExceeded: OnExceeded;
  /** What it did: block the call, route to the cheapest model, or keep exploration off pricier models. */
  effect: 'blocked' | 'cheapest' | 'no-pricier-exploration';
  /** For "cheapest" before the limit: the spend the period is on course for once the stage runs on its cheapest model (see pacing). */
  onCourseFor?: number;
}

/**
 * A "cheapest" budget not spent yet, with what pacing needs: the scope's calls so far in the period,
 * and how much of the period has passed and is left. Spending the rest of the period on the cheapest
 * model still costs money, so waiting for the limit overshoots it; route() takes the cheapest model as
 * soon as the spend so far plus the rest of the period at the cheapest model's price reaches the limit.
 */
export interface BudgetPace {
  influence: BudgetInfluence;
  calls: number;
  elapsedMs: number;
  remainingMs: number;
}

/** Calls in the period before a pace is projected from them (fewer say too little about the rate). */
export const PACE_MIN_CALLS = 10;

interface Reading {
  periodStart: number;
  usd: number;
  calls: number;
}

/**
 * Budget states for route(), read from the store's daily counters and kept until BUDGET_REFRESH_CALLS
 * more calls are recorded, the store reloads or the period turns, so a decision seldom pays for a read.
 */
export class BudgetGuard {
  private readings = new Map<BudgetDeclaration, Reading>();
  /** The store's trackedVersion when the readings were taken. */
  private readAt = -Infinity;

  constructor(
    private readonly store: TelemetryStore,
    private readonly registry: ModelRegistry,
    private readonly now: Clock = store.now,
    private budgets: readonly BudgetDeclaration[] = [],
  ) {}

  setBudgets(budgets: readonly BudgetDeclaration[]): void {
    this.budgets = budgets;
    this.readings.clear();
  }

  /** The budget with the strongest effect on a stage's decision, if one has any. */
  influenceOn(workflow: string, stage: string): BudgetInfluence | undefined {
    if (this.budgets.length === 0) return undefined;
    // Calls tracked since the readings (pending ones included; a reload jumps the version) make them stale.
    const version = this.store.trackedVersion;
    if (version - this.readAt >= BUDGET_REFRESH_CALLS || version < this.readAt) {
      this.readings.clear();
      this.readAt = version;
    }
    const now = this.now().getTime();
    let strongest: BudgetInfluence | undefined;
    for (const budget of budgetsOf(this.budgets, workflow, stage)) {
      const start = periodAt(budget.period, now).start;
      let reading = this.readings.get(budget);
      if (!reading || reading.periodStart !== start) {
        const spend = scopeSpend(this.store, this.registry, budget.scope, start);
        reading = { periodStart: start, usd: spendTotal(spend) ?? 0, calls: spend.reportedCalls + spend.estimatedCalls + spend.unknownCalls };
        this.readings.set(budget, reading);
      }
      const used = reading.usd / budget.limit;
      const effect: BudgetInfluence['effect'] | undefined =
        reaches(used, 1) && budget.onExceeded === 'block'
          ? 'blocked'
          : reaches(used, 1) && budget.onExceeded === 'cheapest'
            ? 'cheapest'
            : reaches(used, NEAR_LIMIT)
              ? 'no-pricier-exploration'
              : undefined;
      if (!effect) continue;
      const influence = influenceOf(budget, reading.usd, effect);
      if (!strongest || stronger(influence, strongest)) strongest = influence;
    }
    return strongest;
  }

  /** The "cheapest" budget of a stage, not spent yet, that is closest to its limit, with its pace (undefined with too few calls). */
  paceOf(workflow: string, stage: string): BudgetPace | undefined {
    const now = this.now().getTime();
    let closest: BudgetPace | undefined;
    for (const budget of budgetsOf(this.budgets, workflow, stage)) {
      if (budget.onExceeded !== 'cheapest') continue;
      const span = periodAt(budget.period, now);
      const reading = this.readings.get(budget);
      if (!reading || reading.periodStart !== span.start || reading.calls < PACE_MIN_CALLS || reaches(reading.usd / budget.limit, 1)) continue;
      const used = reading.usd / budget.limit;
      if (closest && closest.influence.used >= used) continue;
      closest = {
        influence: influenceOf(budget, reading.usd, 'cheapest'),
        calls: reading.calls,
        elapsedMs: Math.max(1, now - span.start),
        remainingMs: Math.max(0, span.end - now),
      };
    }
    return closest;
  }
}

/** A budget's influence on a decision, as RouteDecision.budget reports it. */
function influenceOf(budget: BudgetDeclaration, spent: number, effect: BudgetInfluence['effect']): BudgetInfluence {
  return {
    name: budgetName(budget),
    scope: budget.scope,
    period: budget.period,
    limit: budget.limit,
    spent,
    used: spent / budget.limit,
    onExceeded: budget.onExceeded,
    effect,
  };
}

const SEVERITY: Record<BudgetInfluence['effect'], number> = { blocked: 3, cheapest: 2, 'no-pricier-exploration': 1 };

function stronger(a: BudgetInfluence, b: BudgetInfluence): boolean {
  return SEVERITY[a.effect] !== SEVERITY[b.effect] ? SEVERITY[a.effect] > SEVERITY[b.effect] : a.used > b.used;
}
