import * as vscode from 'vscode';
import { stageLabelText } from '../format';
import { dashboardData } from '../../core/dashboard/dashboardData';
import { parseFromDashboard, type FromDashboard, type ToDashboard } from '../../core/dashboard/dashboardMessages';
import type { DashboardScope } from '../../core/dashboard/dashboardTypes';
import { coalesced } from '../coalesced';
import type { TelemetryService } from '../services/telemetryService';
import { rangeDays, readSettings } from '../settings';
import { dashboardHtml, dashboardRoots } from './dashboardHtml';

export const DASHBOARD_VIEW_TYPE = 'adaptiveRouting.dashboard';

type Rendered = Extract<FromDashboard, { type: 'rendered' }>;

/**
 * The routing dashboard: one webview panel per window, for the workspace, a workflow or a stage, in
 * the tree's time range. It sends new data when the telemetry changes (the page redraws in place) and
 * checks every message the page sends.
 */
export class DashboardPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private scope: DashboardScope = { workflow: null, stage: null };
  private generation = 0;
  private pageReady = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly rendered = new vscode.EventEmitter<Rendered>();
  /** Fires when the page reports what it drew. */
  readonly onDidRender = this.rendered.event;
  /** What the page drew last (the log and the tests read it). */
  lastRendered: Rendered | undefined;
  private readonly refresh = coalesced(() => this.send());

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly service: TelemetryService,
  ) {
    this.disposables.push(
      this.rendered,
      service.onDidChange(() => void this.refresh()),
      vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
        // After a reload the panel comes back showing the workspace.
        deserializeWebviewPanel: async (panel) => this.adopt(panel),
      }),
    );
  }

  get visible(): boolean {
    return this.panel?.visible ?? false;
  }

  get currentScope(): DashboardScope {
    return this.scope;
  }

  /** Opens the dashboard (or brings it forward) on a scope. */
  show(scope: DashboardScope = { workflow: null, stage: null }): void {
    this.scope = scope;
    if (this.panel) this.panel.reveal();
    else
      this.adopt(
        vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, this.title(), vscode.ViewColumn.Active, {
          enableScripts: true,
          localResourceRoots: dashboardRoots(this.extensionUri),
        }),
      );
    this.panel!.title = this.title();
    void this.refresh();
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.pageReady = false;
    panel.webview.options = { enableScripts: true, localResourceRoots: dashboardRoots(this.extensionUri) };
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'routing.svg');
    panel.webview.html = dashboardHtml(panel.webview, this.extensionUri);
    const subscriptions = [
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      // Hidden, the page is unloaded; shown again, it asks for data ('ready').
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.pageReady = false;
      }),
    ];
    panel.onDidDispose(() => {
      subscriptions.forEach((s) => s.dispose());
      if (this.panel === panel) this.panel = undefined;
    });
  }

  private receive(raw: unknown): void {
    const message = parseFromDashboard(raw);
    if (!message) {
      this.service.log.warn('Dashboard: ignored a message from the page that is not one of its own');
      return;
    }
    if (message.type === 'ready') {
      this.pageReady = true;
      void this.refresh();
    } else if (message.type === 'rendered') {
      this.lastRendered = message;
      this.rendered.fire(message);
    } else void this.rescope(message.scope);
  }

  /** A scope the page asked for, if the workspace has it (the page's names are not trusted). */
  private async rescope(scope: DashboardScope): Promise<void> {
    const overview = await this.service.overview();
    const workflow = overview.find((w) => w.workflow === scope.workflow);
    const known = scope.workflow === null || (workflow && (scope.stage === null || workflow.stages.some((s) => s.stage === scope.stage)));
    if (!known) {
      this.service.log.warn('Dashboard: the page asked for a workflow or stage that is not in the time range');
      return;
    }
    this.show(scope);
  }

  private async send(): Promise<void> {
    const panel = this.panel;
    if (!panel || !this.pageReady) return;
    const store = await this.service.file.ensureOpen();
    const router = await this.service.router();
    if (!store || !router) return;
    const overview = await this.service.overviewWithDecisions();
    const data = dashboardData(
      store,
      this.service.registry,
      overview.flatMap((w) => w.stages),
      this.scope,
      {
        days: rangeDays(this.service.range),
        minSampleSize: readSettings(this.service.file.uri).minSampleSize,
        failureRateThreshold: router.failureRateThreshold,
        rangeLabel: this.service.rangeLabel,
      },
    );
    const message: ToDashboard = { type: 'data', generation: ++this.generation, data };
    if (panel === this.panel) await panel.webview.postMessage(message);
  }

  private title(): string {
    const { workflow, stage } = this.scope;
    if (workflow === null) return vscode.l10n.t('Routing Dashboard');
    return vscode.l10n.t('Routing: {0}', stage === null ? workflow : stageLabelText({ workflow, stage }));
  }

  dispose(): void {
    this.panel?.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}
