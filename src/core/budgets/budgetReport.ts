import { counted, dollars } from '../format';
import { spendShort } from '../stats/spend';
import { scopeText } from './budgetDeclarations';
import { BudgetStatus, budgetState, budgetStateText, projectionText } from './budgetStatus';

/** One budget in a line: "workspace · weekly: $7.40 of $10.00 this week (74%, on track; on exceeding: warn)". */
export function budgetLine(s: BudgetStatus): string {
  const spent = spendShort(s.spent) ?? dollars(0);
  // Calls of unknown cost are not in the sum: said after it, not inside the "X of Y" it reads as.
  const unknown = s.spent.unknownCalls ? `; ${counted(s.spent.unknownCalls, 'call')} of unknown cost not counted` : '';
  return `${scopeText(s.budget.scope)} · ${s.budget.period}: ${spent} of ${dollars(s.budget.limit)} ${s.span.label} (${Math.round(s.used * 100)}%, ${budgetStateText(s)}; on exceeding: ${s.budget.onExceeded})${unknown}`;
}

/** The budgets report of the CLI and of VS Code's "Show Budgets": each budget, its state and projection. */
export function formatBudgetReport(statuses: readonly BudgetStatus[], now: Date): string {
  const lines = ['', `ADAPTIVE ROUTING - BUDGETS (${now.toISOString().slice(0, 16).replace('T', ' ')} UTC)`, ''];
  for (const s of statuses) {
    const mark = { spent: '❌', 'projected-over': '⚠️ ', ok: '✓' }[budgetState(s)];
    lines.push(`${mark} ${budgetLine(s)}`, `    ${projectionText(s)}`);
  }
  return lines.join('\n');
}
