import { dollars } from '../stats/spend';
import type { PolicyChoice } from '../routing/learningPolicy';
import type { RouteDecision } from '../routing/routerTypes';
import type { BudgetInfluence } from './budgetGuard';

/**
 * A spent budget with `onExceeded: "cheapest"`: the cheapest allowed model still plausible for the
 * target (its chance of meeting it at least that of a model nobody has tried, 1 - target), else the
 * choice as it was. The choice is changed in place; returns whether it moved.
 */
export function takeCheapestPlausible(choice: PolicyChoice, target: number): boolean {
  const allowed = choice.summaries.filter((a) => !a.excludedBy);
  const cheapest = (allowed.length ? allowed : choice.summaries).find((a) => a.chance >= 1 - target - 1e-9);
  if (!cheapest || cheapest === choice.arm) return false;
  choice.arm = cheapest;
  choice.greedy = cheapest;
  choice.explored = false;
  return true;
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
      return `Budget exceeded: ${budgetText(b)} is spent, so the cheapest model still plausible for the target, ${model}`;
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
  decision.reason = `${budgetReason(budget, decision.model)}. ${decision.reason}`;
  decision.budget = budget;
  decision.blocked = budget.effect === 'blocked';
  return decision;
}
