import * as vscode from 'vscode';
import type { StageOverview } from '../../core/overview';
import { readSettings } from '../settings';
import type { TelemetryService } from '../telemetryService';
import { StageNode, StatsNode, WorkflowNode } from './statsNodes';

export const STATS_VIEW_ID = 'adaptiveRouting.stats';

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

  constructor(private readonly service: TelemetryService) {
    this.view = vscode.window.createTreeView(STATS_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      this.selectedStage,
      service.onDidChange(() => this.changed.fire(undefined)),
      this.view.onDidChangeSelection((e) => {
        const node = e.selection[0];
        if (node instanceof StageNode) this.selectedStage.fire(node.stage);
      }),
      this.view.onDidChangeVisibility((e) => {
        if (e.visible) void service.ensureOpen();
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

  async getChildren(node?: StatsNode): Promise<StatsNode[]> {
    if (node) return node.children();
    const started = Date.now();
    const overview = await this.service.overview();
    const minSamples = readSettings().minSampleSize;
    const upgrades = overview.reduce((n, w) => n + w.upgradesNeeded, 0);
    this.view.description = this.service.rangeLabel;
    this.view.badge = upgrades ? { value: upgrades, tooltip: vscode.l10n.t('{0} stage(s) need a tier upgrade', upgrades) } : undefined;
    this.view.message = this.service.state === 'error' ? vscode.l10n.t('Telemetry unavailable: {0}', this.service.error?.message ?? '') : this.service.readOnly && overview.length ? vscode.l10n.t('Restricted Mode: read-only') : undefined;
    // Not awaited: the welcome view follows when the renderer gets to it, the tree does not wait.
    void vscode.commands.executeCommand('setContext', 'adaptiveRouting.noTelemetry', overview.length === 0);
    void vscode.commands.executeCommand('setContext', 'adaptiveRouting.telemetryError', this.service.state === 'error');
    this.lastRenderMs = Date.now() - started;
    const readP95 = (workflow: string, stage: string) => this.service.stageP95(workflow, stage);
    return overview.map((workflow) => new WorkflowNode(workflow, minSamples, readP95));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
