import * as vscode from 'vscode';
import type { StageOverview, WorkflowOverview } from '../../core/overview';
import { changeText, tierMove } from '../../core/recommendation';
import { latency, money, performanceLine, rateOrInsufficient, safeMarkdown } from '../format';

/** Every row of the Routing Stats tree knows how to draw itself and its children. */
export interface StatsNode {
  treeItem(): vscode.TreeItem;
  children(): StatsNode[] | Promise<StatsNode[]>;
}

/** Reads what the overview leaves out because it needs raw calls: p95 latency per model of a stage. */
export type StageP95Reader = (workflow: string, stage: string) => Promise<Map<string, number>>;

export class WorkflowNode implements StatsNode {
  constructor(
    readonly workflow: WorkflowOverview,
    private readonly minSamples: number,
    private readonly readP95: StageP95Reader,
  ) {}

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.workflow.workflow, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `workflow:${this.workflow.workflow}`;
    item.contextValue = 'workflow';
    item.description = vscode.l10n.t('{0} calls', this.workflow.calls) + (this.workflow.upgradesNeeded ? ' · ' + vscode.l10n.t('{0} need an upgrade', this.workflow.upgradesNeeded) : '');
    item.iconPath = new vscode.ThemeIcon(this.workflow.upgradesNeeded ? 'warning' : 'symbol-namespace', this.workflow.upgradesNeeded ? new vscode.ThemeColor('list.warningForeground') : undefined);
    item.accessibilityInformation = { label: `${this.workflow.workflow}, ${item.description}` };
    return item;
  }

  children(): StatsNode[] {
    return this.workflow.stages.map((stage) => new StageNode(stage, this.minSamples, this.readP95));
  }
}

export class StageNode implements StatsNode {
  constructor(
    readonly stage: StageOverview,
    private readonly minSamples: number,
    private readonly readP95: StageP95Reader,
  ) {}

  get label(): string {
    return this.stage.stage || vscode.l10n.t('(no stage)');
  }

  treeItem(): vscode.TreeItem {
    const { verdict, recommendation } = this.stage;
    const recommended = recommendation?.model ?? '…';
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `stage:${this.stage.workflow}\u0000${this.stage.stage}`;
    item.contextValue = 'stage';
    // A stage no model can serve at its target says so where it is seen, not only in the tooltip.
    const outOfReach = recommendation?.outOfReach && recommendation.decision.sampleSize >= this.minSamples;
    const move = recommendation && tierMove(recommendation);
    item.description = `→ ${recommended}${move ? ` · ${move}` : ''}${outOfReach ? ` · ${vscode.l10n.t('target out of reach')}` : ''}${recommendation?.fallback ? ` · ${vscode.l10n.t('default')}` : ''}`;
    const upgrade = recommendation?.change === 'upgrade';
    item.iconPath = outOfReach
      ? new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('list.errorForeground'))
      : upgrade
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor(recommendation.confident ? 'list.warningForeground' : 'list.deemphasizedForeground'))
        : new vscode.ThemeIcon(verdict.sampleSize < this.minSamples ? 'circle-outline' : 'pass');
    const md = safeMarkdown();
    md.appendMarkdown('**').appendText(`${this.stage.workflow} / ${this.label}`).appendMarkdown('**\n\n');
    md.appendText(vscode.l10n.t('Recommended model: {0}', recommended)).appendMarkdown('  \n');
    if (recommendation) {
      md.appendText(recommendation.reason).appendMarkdown('\n\n');
      const change = changeText(recommendation);
      if (change) md.appendText(change).appendMarkdown('\n\n');
    }
    md.appendText(vscode.l10n.t('Recent failures (seed rule): {0}', verdict.reason)).appendMarkdown('  \n');
    md.appendText(vscode.l10n.t('{0} calls in range', this.stage.calls));
    item.tooltip = md;
    const state = upgrade ? vscode.l10n.t('needs upgrade to {0}', recommendation.tier ?? '') : vscode.l10n.t('ok');
    item.accessibilityInformation = { label: `${this.label}, recommended ${recommended}, ${state}` };
    return item;
  }

  async children(): Promise<StatsNode[]> {
    const p95 = await this.readP95(this.stage.workflow, this.stage.stage);
    return this.stage.models.map((model) => new ModelNode(this.stage, { ...model, p95LatencyMs: p95.get(model.model) ?? null }, this.minSamples));
  }
}

export class ModelNode implements StatsNode {
  constructor(
    private readonly stage: StageOverview,
    private readonly model: StageOverview['models'][number],
    private readonly minSamples: number,
  ) {}

  treeItem(): vscode.TreeItem {
    const m = this.model;
    const item = new vscode.TreeItem(m.model, vscode.TreeItemCollapsibleState.None);
    item.id = `model:${this.stage.workflow}\u0000${this.stage.stage}\u0000${m.model}`;
    item.contextValue = 'model';
    item.description = performanceLine(m, this.minSamples);
    item.iconPath = new vscode.ThemeIcon(m.model === this.stage.recommendation?.model ? 'star-full' : 'circuit-board');
    const md = safeMarkdown();
    md.appendMarkdown('**').appendText(m.model).appendMarkdown('**');
    if (m.tier) md.appendText(` (${m.tier})`);
    md.appendMarkdown('\n\n| | |\n|---|---|\n');
    const rows: Array<[string, string]> = [
      [vscode.l10n.t('Calls'), String(m.calls)],
      [vscode.l10n.t('Success rate'), rateOrInsufficient(m.successRate, m.calls, this.minSamples)],
      [vscode.l10n.t('Avg latency'), latency(m.avgLatencyMs)],
      [vscode.l10n.t('p95 latency'), latency(m.p95LatencyMs)],
      [vscode.l10n.t('Avg cost'), money(m.avgCost)],
      [vscode.l10n.t('Cost per success'), money(m.costPerSuccess)],
    ];
    for (const [key, value] of rows) md.appendMarkdown('| ').appendText(key).appendMarkdown(' | ').appendText(value).appendMarkdown(' |\n');
    item.tooltip = md;
    item.accessibilityInformation = { label: `${m.model}, ${item.description}` };
    return item;
  }

  children(): StatsNode[] {
    return [];
  }
}
