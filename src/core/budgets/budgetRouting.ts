import { dollars, shortPct } from '../format';
import type { PolicyChoice } from '../routing/learningPolicy';
import type { RouteDecision } from '../routing/routerTypes';
import type { BudgetInfluence, BudgetPace } from './budgetGuard';
import { scopeText } from './budgetDeclarations';

/**
 * A spent budget with `onExceeded: "cheapest"`: the budget wins over the target, so the stage runs on
 * the cheapest model it may use (within its hard limits on cost and latency, when any model keeps
 * them), even one short of the target. The choice is changed in place; returns whether it moved.
 */
export function takeCheapest(choice: PolicyChoice): boolean {
  const cheapest = cheapestAllowed(choice);
  choice.explored = false;
  if (!cheapest || cheapest === choice.arm) return false;
  choice.arm = cheapest;
  choice.greedy = cheapest;
  return true;
}

/** The cheapest model the stage may use: within its hard limits when any model keeps them (summaries come cheapest first). */
function cheapestAllowed(choice: PolicyChoice): PolicyChoice['arm'] | undefined {
  const allowed = choice.summaries.filter((a) => !a.excludedBy);
  return (allowed.length ? allowed : choice.summaries)[0];
}

/**
 * Pacing a "cheapest" budget: the spend so far plus the rest of the period at the scope's call rate
 * on the stage's cheapest model. Once that reaches the limit, waiting longer would overshoot it (the
 * cheapest model costs money too), so the stage moves to the cheapest model now: the influence to
 * report, else undefined (no pace, or no price for the cheapest model, or room left).
 */
export function pacedCheapest(pace: BudgetPace | undefined, choice: PolicyChoice): BudgetInfluence | undefined {
  if (!pace) return undefined;
  const cost = cheapestAllowed(choice)?.expectedCost;
  if (cost == null) return undefined;
  const onCourseFor = pace.influence.spent + pace.calls * (pace.remainingMs / pace.elapsedMs) * cost;
  return onCourseFor >= pace.influence.limit ? { ...pace.influence, onCourseFor } : undefined;
}

/**
 * "Budget test-generation monthly $2.00 is spent, so this stage runs on the cheapest model,
 * claude-haiku-4-5; the 80% target is not expected (71% here)."
 */
export function cheapestReason(b: BudgetInfluence, d: Pick<RouteDecision, 'model' | 'target' | 'successRate' | 'sampleSize'>): string {
  const named = `Budget ${scopeText(b.scope)} ${b.period} ${dollars(b.limit)}`;
  const expected =
    d.sampleSize === 0 || d.successRate === null
      ? `whether the ${shortPct(d.target)} target holds is unknown (no calls of it here yet)`
      : d.successRate >= d.target
        ? `the ${shortPct(d.target)} target is still expected (${shortPct(d.successRate)} here)`
        : `the ${shortPct(d.target)} target is not expected (${shortPct(d.successRate)} here)`;
  const state =
    b.onCourseFor === undefined
      ? 'is spent'
      : `will be spent before the period ends at this rate (${dollars(b.spent)} so far, on course for ${dollars(b.onCourseFor)} even on the cheapest model)`;
  return `${named} ${state}, so this stage runs on the cheapest model, ${d.model}; ${expected}.`;
}

/** "the weekly budget of code-review ($10.40 of $10.00)". */
export function budgetText(b: BudgetInfluence): string {
  return `the ${b.name} (${dollars(b.spent)} of ${dollars(b.limit)})`;
}

/** What the decision's reason says about the budget that shaped it. */
export function budgetReason(b: BudgetInfluence, model: string): string {
  switch (b.effect) {
    case 'blocked':
      return `Blocked: ${budgetText(b)} is spent; ${model} is what would run otherwise`;
    case 'cheapest':
      return `Budget exceeded: ${budgetText(b)} is spent, so the cheapest model, ${model}`;
    case 'no-pricier-exploration':
      return `Near ${budgetText(b)}: no tries of pricier models`;
  }
}

/**
 * The decision as the budget shaped it: the reason says so first, and `budget` and `blocked` are set
 * (after the object was built, not spread into its literal: a spread builds it the slow way).
 */
export function withBudget(decision: RouteDecision, budget: BudgetInfluence | undefined): RouteDecision {
  if (!budget) return decision;
  // "cheapest" replaces the reasoning about the target, which no longer decides; the others add to it.
  decision.reason =
    budget.effect === 'cheapest' && decision.adaptive ? cheapestReason(budget, decision) : `${budgetReason(budget, decision.model)}. ${decision.reason}`;
  decision.budget = budget;
  decision.blocked = budget.effect === 'blocked';
  return decision;
}
