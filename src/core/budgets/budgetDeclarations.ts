import { Node as JsonNode, findNodeAtLocation } from 'jsonc-parser';
import { BUDGET_PERIODS, BudgetPeriod, parseBudgetPeriod } from './budgetPeriods';

/** What route() does once a budget's spend reaches its limit. */
export const ON_EXCEEDED = ['warn', 'cheapest', 'block'] as const;
export type OnExceeded = (typeof ON_EXCEEDED)[number];

/** Where a budget applies: the whole workspace, one workflow, or one stage of one. */
export interface BudgetScope {
  workflow?: string;
  stage?: string;
}

/** One limit of one period, e.g. `"budget": { "weekly": 10 }` on a workflow. */
export interface BudgetDeclaration {
  scope: BudgetScope;
  period: BudgetPeriod;
  /** USD per period. */
  limit: number;
  onExceeded: OnExceeded;
  /** Where it was declared: the manifest (with the offsets of the limit's number) or a setting. */
  source: 'manifest' | 'setting';
  offset?: number;
  length?: number;
}

/** A budget the manifest declares wrongly: said in Problems, and left out. */
export interface BudgetProblem {
  message: string;
  offset: number;
  length: number;
}

/** "code-review / analysis", "code-review", or "workspace". */
export function scopeText(scope: BudgetScope): string {
  return scope.workflow ? (scope.stage ? `${scope.workflow} / ${scope.stage}` : scope.workflow) : 'workspace';
}

/** "weekly budget of code-review": how every message names a budget. */
export function budgetName(budget: Pick<BudgetDeclaration, 'period' | 'scope'>): string {
  return `${budget.period} budget of ${scopeText(budget.scope)}`;
}

/**
 * The budgets of a parsed manifest: `"budget"` on the root (the workspace), on a workflow and on a
 * stage, each with one or more of `daily`, `weekly`, `monthly` (USD) and an optional `onExceeded`.
 */
export function readManifestBudgets(root: JsonNode | undefined): { budgets: BudgetDeclaration[]; problems: BudgetProblem[] } {
  const budgets: BudgetDeclaration[] = [];
  const problems: BudgetProblem[] = [];
  if (!root || root.type !== 'object') return { budgets, problems };
  const read = (node: JsonNode | undefined, scope: BudgetScope) => {
    const budget = node && findNodeAtLocation(node, ['budget']);
    if (!budget) return;
    const where = scopeText(scope);
    if (budget.type !== 'object') {
      problems.push({ message: `The ${where} budget must be an object such as { "weekly": 10 }`, offset: budget.offset, length: budget.length });
      return;
    }
    let onExceeded: OnExceeded = 'warn';
    const limits: Array<{ period: BudgetPeriod; limit: number; node: JsonNode }> = [];
    for (const property of budget.children ?? []) {
      const [key, value] = property.children ?? [];
      if (!key || !value) continue;
      const name = String(key.value);
      if (name === 'onExceeded') {
        if (value.type === 'string' && (ON_EXCEEDED as readonly string[]).includes(value.value)) onExceeded = value.value as OnExceeded;
        else
          problems.push({ message: `onExceeded of the ${where} budget must be one of ${ON_EXCEEDED.join(', ')}`, offset: value.offset, length: value.length });
        continue;
      }
      const period = parseBudgetPeriod(name);
      if (!period) {
        problems.push({
          message: `Unknown budget key "${name}" (use ${BUDGET_PERIODS.join(', ')} or onExceeded)`,
          offset: key.offset,
          length: key.length,
        });
        continue;
      }
      if (value.type !== 'number' || !Number.isFinite(value.value) || value.value <= 0) {
        problems.push({ message: `The ${where} ${period} budget must be a number of USD above 0`, offset: value.offset, length: value.length });
        continue;
      }
      limits.push({ period, limit: value.value as number, node: value });
    }
    for (const { period, limit, node: at } of limits)
      budgets.push({ scope, period, limit, onExceeded, source: 'manifest', offset: at.offset, length: at.length });
  };
  read(root, {});
  const workflows = findNodeAtLocation(root, ['workflows']);
  for (const property of workflows?.type === 'object' ? (workflows.children ?? []) : []) {
    const [key, value] = property.children ?? [];
    if (!key || value?.type !== 'object') continue;
    const workflow = String(key.value);
    read(value, { workflow });
    const stages = findNodeAtLocation(value, ['stages']);
    for (const stageProperty of stages?.type === 'object' ? (stages.children ?? []) : []) {
      const [stageKey, stageValue] = stageProperty.children ?? [];
      if (stageKey && stageValue?.type === 'object') read(stageValue, { workflow, stage: String(stageKey.value) });
    }
  }
  return { budgets, problems };
}

/**
 * The workspace budget of the `adaptiveRouting.budget` setting (`{ "weekly": 10, "onExceeded": "warn" }`),
 * or the reason it is refused.
 */
export function settingBudgets(value: unknown): { budgets: BudgetDeclaration[]; errors: string[] } {
  const budgets: BudgetDeclaration[] = [];
  const errors: string[] = [];
  if (value == null) return { budgets, errors };
  if (typeof value !== 'object' || Array.isArray(value)) return { budgets, errors: ['adaptiveRouting.budget must be an object such as { "weekly": 10 }'] };
  const record = value as Record<string, unknown>;
  const known = (ON_EXCEEDED as readonly unknown[]).includes(record.onExceeded ?? 'warn');
  if (!known) errors.push(`adaptiveRouting.budget.onExceeded must be one of ${ON_EXCEEDED.join(', ')}`);
  const onExceeded = known ? ((record.onExceeded ?? 'warn') as OnExceeded) : 'warn';
  for (const [key, limit] of Object.entries(record)) {
    if (key === 'onExceeded') continue;
    const period = parseBudgetPeriod(key);
    if (!period) errors.push(`adaptiveRouting.budget: unknown key "${key}" (use ${BUDGET_PERIODS.join(', ')} or onExceeded)`);
    else if (typeof limit !== 'number' || !Number.isFinite(limit) || limit <= 0)
      errors.push(`adaptiveRouting.budget.${period} must be a number of USD above 0`);
    else budgets.push({ scope: {}, period, limit, onExceeded, source: 'setting' });
  }
  return { budgets, errors };
}
