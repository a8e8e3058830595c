import * as vscode from 'vscode';
import { formatBudgetReport } from '../../core/budgets/budgetReport';
import type { BudgetMonitor } from '../services/budgetMonitor';
import { Commands } from '../constants';
import { registerCommand } from './commandRegistry';
import { showReport } from '../views/reports';

/** "Adaptive Routing: Show Budgets": every budget's spend, state and projection, as a read-only report. */
export function registerBudgetCommands(monitor: BudgetMonitor): vscode.Disposable[] {
  return [
    registerCommand(Commands.ShowBudgets, async () => {
      await monitor.refresh();
      const statuses = monitor.statuses;
      const text = statuses.length
        ? formatBudgetReport(statuses, new Date())
        : vscode.l10n.t(
            'No budgets. Declare one in the workflows manifest ("budget": {{ "weekly": 10 }} on its root, a workflow or a stage) or in the adaptiveRouting.budget setting.',
          );
      await showReport(text, vscode.l10n.t('Budgets'));
      return statuses;
    }),
  ];
}
