import * as vscode from 'vscode';
import { ContextKeys, Views } from '../constants';
import { overviewSavings } from '../../core/stats/savings';
import { spendShort } from '../../core/stats/spend';
import { dollarRange, dollars } from '../../core/format';
import type { StageOverview, WorkflowOverview } from '../../core/stats/overview';
import { rangeDays, readSettings } from '../settings';
import type { BudgetMonitor } from '../services/budgetMonitor';
import type { TelemetryService } from '../services/telemetryService';
import { StageNode, StatsNode, WorkflowNode } from './statsNodes';
import type { TeamSyncService } from '../services/teamSync';
import { TeamSyncNode } from './teamSyncNode';

/** The "Routing Stats" tree: workflows, their stages, and the models each stage used. */
export class StatsTreeProvider implements vscode.TreeDataProvider<StatsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StatsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly selectedStage = new vscode.EventEmitter<StageOverview | undefined>();
  readonly onDidSelectStage = this.selectedStage.event;
  readonly view: vscode.TreeView<StatsNode>;
  private readonly disposables: vscode.Disposable[] = [];
  /** Time the last full render took, for the scale benchmark and the log. */
  lastRenderMs = 0;

  constructor(
    private readonly service: TelemetryService,
    private readonly budgets?: BudgetMonitor,
    private readonly team?: TeamSyncService,
  ) {
    this.view = vscode.window.createTreeView(Views.Stats, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      this.selectedStage,
      service.onDidChange(() => {
        this.changed.fire(undefined);
        void this.updateBadge();
      }),
      ...(budgets ? [budgets.onDidChange(() => this.changed.fire(undefined))] : []),
      ...(team ? [team.onDidChange(() => this.changed.fire(undefined))] : []),
      this.view.onDidChangeSelection((e) => {
        const node = e.selection[0];
        if (node instanceof StageNode) this.selectedStage.fire(node.stage);
      }),
      this.view.onDidChangeVisibility((e) => {
        if (e.visible) void service.file.ensureOpen();
      }),
    );
  }

  get selection(): StageOverview | undefined {
    const node = this.view.selection[0];
    return node instanceof StageNode ? node.stage : undefined;
  }

  getTreeItem(node: StatsNode): vscode.TreeItem {
    return node.treeItem();
  }

  getParent(node: StatsNode): StatsNode | undefined {
    return node.parent;
  }

  async getChildren(node?: StatsNode): Promise<StatsNode[]> {
    if (node) return node.children();
    const started = Date.now();
    const overview = await this.service.overview();
    const minSamples = readSettings().minSampleSize;
    this.view.description = this.service.rangeLabel;
    this.setBadge(overview);
    // Only an empty view needs the file's own count and latest call (a probe per stage): not every render.
    const stored = overview.length === 0 ? this.service.file.storedCalls() : undefined;
    // "No telemetry" and "nothing in this range" are different states with different ways out.
    const noTelemetry = overview.length === 0 && !stored?.count;
    const emptyRange = overview.length === 0 && !!stored?.count;
    this.view.message = this.message(overview, stored, emptyRange);
    // Not awaited: the welcome view follows when the renderer gets to it, the tree does not wait.
    void vscode.commands.executeCommand('setContext', ContextKeys.NoTelemetry, noTelemetry);
    void vscode.commands.executeCommand('setContext', ContextKeys.NoCallsInRange, emptyRange && this.service.file.state !== 'error');
    void vscode.commands.executeCommand('setContext', ContextKeys.TelemetryError, this.service.file.state === 'error');
    this.lastRenderMs = Date.now() - started;
    const context = {
      minSamples,
      days: rangeDays(this.service.range),
      readP95: (workflow: string, stage: string) => this.service.stageP95(workflow, stage),
      budgetsOf: (workflow: string, stage?: string) => this.budgets?.of(workflow, stage) ?? [],
    };
    const workflows = overview.map((workflow) => new WorkflowNode(workflow, context));
    return this.team?.state.configured ? [new TeamSyncNode(this.team.state), ...workflows] : workflows;
  }

  /**
   * The line above the tree: the time range always (the view's description is hidden when the view
   * is alone in its container), and what else the reader must know to read the rows.
   */
  private message(overview: WorkflowOverview[], stored: { count: number; latest: Date | undefined } | undefined, emptyRange: boolean): string | undefined {
    if (this.service.file.state === 'error') return vscode.l10n.t('Telemetry unavailable: {0}', this.service.file.error?.message ?? '');
    if (emptyRange) {
      const latest = stored?.latest ? stored.latest.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '?';
      return vscode.l10n.t('{0}: no calls (the latest of {1} was on {2})', this.service.rangeLabel, (stored?.count ?? 0).toLocaleString(), latest);
    }
    if (!overview.length) return undefined;
    const calls = overview.reduce((n, w) => n + w.calls, 0);
    let range =
      calls === 1 ? vscode.l10n.t('{0}: 1 call', this.service.rangeLabel) : vscode.l10n.t('{0}: {1} calls', this.service.rangeLabel, calls.toLocaleString());
    // What the range cost, and what the recommendations would save where the evidence is confident.
    const { spend, total } = overviewSavings(
      overview.flatMap((w) => w.stages),
      { days: rangeDays(this.service.range), minSampleSize: readSettings().minSampleSize },
    );
    const spent = spendShort(spend);
    if (spent) range += ` · ${vscode.l10n.t('{0} spent', spent)}`;
    if (total.stages) range += ` · ${vscode.l10n.t('could save ~{0} / week ({1})', dollars(total.perWeek), dollarRange(total.low, total.high))}`;
    return this.service.file.readOnly ? vscode.l10n.t('{0} · Restricted Mode: read-only', range) : range;
  }

  /**
   * The activity-bar badge follows the telemetry even while the view is closed (getChildren runs
   * only when it is visible, and the badge is what invites a user to open it).
   */
  private async updateBadge(): Promise<void> {
    if (this.service.file.state !== 'ready' && this.service.file.state !== 'empty') return;
    this.setBadge(await this.service.overview());
  }

  private setBadge(overview: WorkflowOverview[]): void {
    const upgrades = overview.reduce((n, w) => n + w.upgradesNeeded, 0);
    this.view.badge = upgrades
      ? { value: upgrades, tooltip: upgrades === 1 ? vscode.l10n.t('1 stage needs a tier upgrade') : vscode.l10n.t('{0} stages need a tier upgrade', upgrades) }
      : undefined;
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
