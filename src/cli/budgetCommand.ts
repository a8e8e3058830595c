import type { TelemetryStore } from '../core';
import { scopeText } from '../core/budgets/budgetDeclarations';
import { budgetStateText, budgetStatuses, projectionText, spendCalls } from '../core/budgets/budgetStatus';
import { spendText } from '../core/stats/spend';
import { Io, Values, makeRouter, readManifest } from './options';

/** The exit code of `budget --fail-over` when a budget is spent (3 already means an unusable telemetry file). */
export const BUDGET_EXCEEDED_EXIT = 5;

/** adaptive-routing budget: every budget of the manifest, its spend in the current period, projection and state. */
export function budget(store: TelemetryStore, values: Values, io: Io): number {
  const manifest = readManifest(values, io);
  const router = makeRouter(store, values, manifest);
  const statuses = budgetStatuses(store, router.registry, manifest.budgets);
  const exceeded = statuses.filter((s) => s.reached >= 1).length;
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
            state: budgetStateText(s),
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
  } else {
    const lines = ['', `ADAPTIVE ROUTING - BUDGETS (${store.now().toISOString().slice(0, 16).replace('T', ' ')} UTC)`, ''];
    for (const s of statuses) {
      const mark = s.reached >= 1 ? '❌' : s.reached >= 0.9 ? '⚠️ ' : '✓';
      lines.push(
        `${mark} ${scopeText(s.budget.scope)} · ${s.budget.period}: ${spendCalls(s.spent) ? spendText(s.spent) : '$0.00'} of $${s.budget.limit.toFixed(2)} ${s.span.label} (${Math.round(s.used * 100)}%, ${budgetStateText(s)}; on exceeding: ${s.budget.onExceeded})`,
        `    ${projectionText(s)}`,
      );
    }
    io.out(lines.join('\n'));
  }
  return values['fail-over'] && exceeded > 0 ? BUDGET_EXCEEDED_EXIT : 0;
}
