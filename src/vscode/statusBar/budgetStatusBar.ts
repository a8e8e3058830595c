import * as vscode from 'vscode';
import { Commands } from '../constants';
import { commandLink } from '../commands/commandRegistry';
import { budgetLine } from '../../core/budgets/budgetReport';
import { budgetShort, budgetState, projectionText, tightestBudget } from '../../core/budgets/budgetStatus';
import { escapeMarkdown, safeMarkdown } from '../format';
import type { BudgetMonitor } from '../services/budgetMonitor';

/**
 * The tightest budget's use ("$7.40 / $10.00 this week"), on a warning background from 90% and an
 * error background once spent; the tooltip lists every budget with its projection. Hidden without budgets.
 */
export class BudgetStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('adaptiveRouting.budget', vscode.StatusBarAlignment.Right, 99);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly monitor: BudgetMonitor) {
    this.item.name = vscode.l10n.t('Adaptive Routing Budget');
    this.item.command = Commands.ShowBudgets;
    this.subscription = monitor.onDidChange(() => this.update());
    this.update();
  }

  /** What the item shows, for tests: text and background (undefined, 'warning' or 'error'). */
  get shown(): { text: string; background: 'warning' | 'error' | undefined; visible: boolean } {
    const id = (this.item.backgroundColor as vscode.ThemeColor | undefined)?.id;
    return { text: this.item.text, background: id?.includes('error') ? 'error' : id?.includes('warning') ? 'warning' : undefined, visible: this.visible };
  }

  private visible = false;

  private update(): void {
    const statuses = this.monitor.statuses;
    if (statuses.length === 0) {
      this.item.hide();
      this.visible = false;
      return;
    }
    const tightest = tightestBudget(statuses);
    this.item.text = `$(dashboard) ${budgetShort(tightest)}`;
    // The colour says the state of the budget nearest its limit: spent, projected over, or nothing.
    const state = budgetState(tightest);
    this.item.backgroundColor =
      state === 'spent'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : state === 'projected-over'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    const md = safeMarkdown();
    md.isTrusted = { enabledCommands: [Commands.ShowBudgets] };
    md.appendMarkdown(`**${escapeMarkdown(vscode.l10n.t('Budgets'))}**\n\n`);
    for (const s of statuses) md.appendMarkdown(`${escapeMarkdown(budgetLine(s))}  \n${escapeMarkdown(projectionText(s))}\n\n`);
    md.appendMarkdown(`[${escapeMarkdown(vscode.l10n.t('Show the budgets report'))}](${commandLink(Commands.ShowBudgets)})`);
    this.item.tooltip = md;
    this.item.accessibilityInformation = { label: vscode.l10n.t('Budget: {0}', budgetShort(tightest)) };
    this.item.show();
    this.visible = true;
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
