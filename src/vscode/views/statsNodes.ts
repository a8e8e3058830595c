import * as vscode from 'vscode';
import type { StageOverview, WorkflowOverview } from '../../core/stats/overview';
import { changeText, tierMove, verdictText } from '../../core/routing/recommendation';
import { spendShort, spendText } from '../../core/stats/spend';
import { capitalised } from '../../core/format';
import { perSuccessText, savingsText, stageSavings } from '../../core/stats/savings';
import { budgetLine } from '../../core/budgets/budgetReport';
import { BudgetStatus, budgetShort, projectionText, tightestBudget } from '../../core/budgets/budgetStatus';
import { latency, money, pct, performanceLine, escapeMarkdown, rateOrInsufficient, safeMarkdown, stageNameText } from '../format';
import { ContextValues } from '../constants';

/** Every row of the Routing Stats tree knows how to draw itself and its children. */
export interface StatsNode {
  /** The row above, for TreeView.reveal (undefined for a workflow). */
  readonly parent?: StatsNode;
  treeItem(): vscode.TreeItem;
  children(): StatsNode[] | Promise<StatsNode[]>;
}

/** Reads what the overview leaves out because it needs raw calls: p95 latency per model of a stage. */
export type StageP95Reader = (workflow: string, stage: string) => Promise<Map<string, number>>;

/** What every row of one render shares: the minimum sample, the range's days, and the p95 reader. */
export interface TreeContext {
  minSamples: number;
  /** Days of the time range (0: all time), for per-week savings. */
  days: number;
  readP95: StageP95Reader;
  /** The budgets of a workflow (no stage) or of a stage, as last worked out. */
  budgetsOf: (workflow: string, stage?: string) => readonly BudgetStatus[];
}

/** " · budget $7.40 / $10.00 this week" for the tightest of a row's budgets, or nothing. */
function budgetNote(statuses: readonly BudgetStatus[]): string {
  if (statuses.length === 0) return '';
  return ` · ${vscode.l10n.t('budget {0}', budgetShort(tightestBudget(statuses)))}`;
}

/** The tooltip lines of a row's budgets. */
function budgetLines(md: vscode.MarkdownString, statuses: readonly BudgetStatus[]): void {
  for (const s of statuses) md.appendMarkdown(`${escapeMarkdown(vscode.l10n.t('Budget: {0}', budgetLine(s)))}  \n${escapeMarkdown(projectionText(s))}\n\n`);
}

export class WorkflowNode implements StatsNode {
  constructor(
    readonly workflow: WorkflowOverview,
    private readonly context: TreeContext,
  ) {}

  treeItem(): vscode.TreeItem {
    const w = this.workflow;
    const item = new vscode.TreeItem(w.workflow, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `workflow:${w.workflow}`;
    item.contextValue = ContextValues.Workflow;
    const calls = w.calls === 1 ? vscode.l10n.t('1 call') : vscode.l10n.t('{0} calls', w.calls.toLocaleString());
    const upgrades = w.upgradesNeeded === 1 ? vscode.l10n.t('1 stage to upgrade') : vscode.l10n.t('{0} stages to upgrade', w.upgradesNeeded);
    const spent = spendShort(w.spend);
    const budgets = this.context.budgetsOf(w.workflow);
    item.description = calls + (w.upgradesNeeded ? ` · ${upgrades}` : '') + (spent ? ` · ${spent}` : '') + budgetNote(budgets);
    item.iconPath = new vscode.ThemeIcon(
      w.upgradesNeeded ? 'warning' : 'symbol-namespace',
      w.upgradesNeeded ? new vscode.ThemeColor('list.warningForeground') : undefined,
    );
    // The tooltip says what the row cannot: each stage's recommendation at a glance.
    const md = safeMarkdown();
    md.appendMarkdown(`**${escapeMarkdown(w.workflow)}**\n\n`);
    md.appendMarkdown(
      escapeMarkdown(
        w.stages.length === 1
          ? vscode.l10n.t('1 stage, {0} in the time range', calls)
          : vscode.l10n.t('{0} stages, {1} in the time range', w.stages.length, calls),
      ) + '\n\n',
    );
    md.appendMarkdown(escapeMarkdown(vscode.l10n.t('Spend: {0}', spendText(w.spend))) + '\n\n');
    budgetLines(md, budgets);
    for (const stage of w.stages) {
      const r = stage.recommendation;
      const move = r && tierMove(r);
      md.appendMarkdown(`- ${escapeMarkdown(stageNameText(stage.stage))}: ${escapeMarkdown(r ? `→ ${r.model}${move ? ` (${move})` : ''}` : '…')}\n`);
    }
    item.tooltip = md;
    item.accessibilityInformation = { label: `${w.workflow}, ${item.description}` };
    return item;
  }

  children(): StatsNode[] {
    return this.workflow.stages.map((stage) => new StageNode(stage, this.context, this));
  }
}

export class StageNode implements StatsNode {
  constructor(
    readonly stage: StageOverview,
    private readonly context: TreeContext,
    readonly parent?: WorkflowNode,
  ) {}

  private get minSamples(): number {
    return this.context.minSamples;
  }

  get label(): string {
    return stageNameText(this.stage.stage);
  }

  treeItem(): vscode.TreeItem {
    const { verdict, recommendation } = this.stage;
    const state = recommendation?.verdict;
    const recommended = recommendation?.model ?? '…';
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `stage:${this.stage.workflow}\u0000${this.stage.stage}`;
    item.contextValue = ContextValues.Stage;
    // A stage no model can serve at its target says so where it is seen, not only in the tooltip.
    const outOfReach = state === 'out-of-reach';
    const move = recommendation && tierMove(recommendation);
    const spent = spendShort(this.stage.spend);
    const budgets = this.context.budgetsOf(this.stage.workflow, this.stage.stage);
    const held = state === 'held-by-budget';
    item.description = `→ ${recommended}${held ? ` · ${vscode.l10n.t('held on the cheapest model by a spent budget')}` : ''}${move ? ` · ${move}` : ''}${outOfReach ? ` · ${vscode.l10n.t('target out of reach')}` : ''}${recommendation?.fallback ? ` · ${vscode.l10n.t('default')}` : ''}${spent ? ` · ${spent}` : ''}${budgetNote(budgets)}`;
    item.iconPath = outOfReach
      ? new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('list.errorForeground'))
      : state === 'upgrade'
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor(recommendation?.confident ? 'list.warningForeground' : 'list.deemphasizedForeground'))
        : new vscode.ThemeIcon(!state || state === 'thin-evidence' ? 'circle-outline' : 'pass');
    const md = safeMarkdown();
    md.appendMarkdown(`**${escapeMarkdown(`${this.stage.workflow} / ${this.label}`)}**\n\n`);
    md.appendMarkdown(escapeMarkdown(vscode.l10n.t('Recommended model: {0}', recommended)) + '  \n');
    if (recommendation) {
      md.appendMarkdown(escapeMarkdown(recommendation.reason) + '\n\n');
      const change = changeText(recommendation);
      if (change) md.appendMarkdown(escapeMarkdown(change) + '\n\n');
    }
    md.appendMarkdown(escapeMarkdown(vscode.l10n.t("Recent-failure rule (the upstream framework's): {0}", verdict.reason)) + '  \n');
    md.appendMarkdown(
      escapeMarkdown(
        this.stage.calls === 1 ? vscode.l10n.t('1 call in the time range') : vscode.l10n.t('{0} calls in the time range', this.stage.calls.toLocaleString()),
      ) + '  \n',
    );
    md.appendMarkdown(escapeMarkdown(vscode.l10n.t('Spend: {0}', spendText(this.stage.spend))) + '  \n');
    budgetLines(md, budgets);
    const savings = stageSavings(this.stage, { days: this.context.days, minSampleSize: this.minSamples });
    md.appendMarkdown(
      escapeMarkdown(savings.estimate ? capitalised(savingsText(savings.estimate)) : vscode.l10n.t('No savings estimate: {0}', savings.why ?? '')),
    );
    const perSuccess = savings.estimate && perSuccessText(savings.estimate);
    if (perSuccess) md.appendMarkdown('  \n' + escapeMarkdown(capitalised(perSuccess)));
    item.tooltip = md;
    const stateText = recommendation ? verdictText(recommendation) : vscode.l10n.t('working out');
    item.accessibilityInformation = { label: `${this.label}, recommended ${recommended}, ${stateText}` };
    return item;
  }

  async children(): Promise<StatsNode[]> {
    const p95 = await this.context.readP95(this.stage.workflow, this.stage.stage);
    return this.stage.models.map((model) => new ModelNode(this.stage, { ...model, p95LatencyMs: p95.get(model.model) ?? null }, this.minSamples, this));
  }
}

export class ModelNode implements StatsNode {
  constructor(
    readonly stage: StageOverview,
    readonly model: StageOverview['models'][number],
    private readonly minSamples: number,
    readonly parent?: StageNode,
  ) {}

  treeItem(): vscode.TreeItem {
    const m = this.model;
    const item = new vscode.TreeItem(m.model, vscode.TreeItemCollapsibleState.None);
    item.id = `model:${this.stage.workflow}\u0000${this.stage.stage}\u0000${m.model}`;
    item.contextValue = ContextValues.Model;
    item.description = performanceLine(m, this.minSamples);
    item.iconPath = new vscode.ThemeIcon(m.model === this.stage.recommendation?.model ? 'star-full' : 'circuit-board');
    const md = safeMarkdown();
    md.appendMarkdown(`**${escapeMarkdown(m.model)}**${m.tier ? ` ${escapeMarkdown(`(${m.tier})`)}` : ''}`);
    md.appendMarkdown('\n\n| | |\n|---|---|\n');
    const rows: Array<[string, string]> = [
      // Two figures, each named: the share of calls that succeeded in the range, and the router's estimate
      // behind its reasons (recent calls weigh more, shrunk toward the model's record elsewhere).
      [vscode.l10n.t('Success rate observed in the range'), rateOrInsufficient(m.successRate, m.calls, this.minSamples)],
      ...routerEstimate(this.stage, m.model),
      [vscode.l10n.t('Calls'), m.calls.toLocaleString()],
      [vscode.l10n.t('Cost per success'), money(m.costPerSuccess)],
      [vscode.l10n.t('Avg cost'), money(m.avgCost)],
      [vscode.l10n.t('Avg latency'), latency(m.avgLatencyMs)],
      [vscode.l10n.t('p95 latency'), latency(m.p95LatencyMs)],
    ];
    for (const [key, value] of rows) md.appendMarkdown(`| ${escapeMarkdown(key)} | ${escapeMarkdown(value)} |\n`);
    item.tooltip = md;
    item.accessibilityInformation = { label: `${m.model}, ${item.description}` };
    return item;
  }

  children(): StatsNode[] {
    return [];
  }
}

/** The router's estimate of a model's success rate at a stage (what its reasons quote), as a tooltip row. */
function routerEstimate(stage: StageOverview, model: string): Array<[string, string]> {
  const estimate = stage.recommendation?.decision.alternatives.find((a) => a.model === model);
  return estimate && estimate.calls > 0 ? [[vscode.l10n.t("Router's estimate (its reasons quote it)"), pct(estimate.successRate)]] : [];
}
