import type { TelemetryStore } from '../core';
import { formatBudgetReport } from '../core/budgets/budgetReport';
import { budgetSentence, budgetState, budgetStateText, budgetStatuses } from '../core/budgets/budgetStatus';
import { Io, Values, commandRouting, readManifest } from './options';

/** The exit code of `budget --fail-over` when a budget is spent (3 already means an unusable telemetry file). */
export const BUDGET_EXCEEDED_EXIT = 5;

/** adaptive-routing budget: every budget of the manifest, its spend in the current period, projection and state. */
export function budget(store: TelemetryStore, values: Values, io: Io): number {
  const manifest = readManifest(values, io);
  const { router } = commandRouting(store, values, manifest);
  const statuses = budgetStatuses(store, router.registry, manifest.budgets);
  const exceeded = statuses.filter((s) => budgetState(s) === 'spent').length;
  if (values.json) {
    io.out(
      JSON.stringify(
        {
          now: store.now().toISOString(),
          manifest: manifest.path,
          exceeded,
          budgets: statuses.map((s) => ({
            scope: s.budget.scope,
            period: s.budget.period,
            limit: s.budget.limit,
            onExceeded: s.budget.onExceeded,
            periodStart: new Date(s.span.start).toISOString(),
            periodEnd: new Date(s.span.end).toISOString(),
            spent: s.spent,
            usd: s.usd,
            used: s.used,
            reached: s.reached,
            state: budgetState(s),
            stateText: budgetStateText(s),
            sentence: budgetSentence(s),
            projection: s.projection,
          })),
        },
        null,
        2,
      ),
    );
  } else if (statuses.length === 0) {
    io.out(
      `No budgets${manifest.path ? ` in ${manifest.path}` : ' (no workflows manifest here)'}: declare one as "budget": { "weekly": 10 } on the manifest's root (the workspace), a workflow or a stage`,
    );
  } else io.out(formatBudgetReport(statuses, store.now()));
  return values['fail-over'] && exceeded > 0 ? BUDGET_EXCEEDED_EXIT : 0;
}
