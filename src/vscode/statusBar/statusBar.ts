import * as vscode from 'vscode';
import { Commands } from '../constants';
import { commandLink } from '../commands/commandRegistry';
import { otlpReceiverText, type OtlpReceiverService } from '../services/otlpReceiverService';
import { teamSyncText, type TeamSyncService } from '../services/teamSync';
import type { StageOverview } from '../../core/stats/overview';
import { changeText } from '../../core/routing/recommendation';
import { money, pct, escapeMarkdown, stageLabelText } from '../format';
import { readSettings } from '../settings';
import type { StatsTreeProvider } from '../views/statsTreeProvider';
import { declarationsIn } from '../diagnostics/declarationIndex';
import type { TelemetryService } from '../services/telemetryService';

/**
 * The model the router recommends for the stage in context: the stage under the cursor in a
 * workflow file, else the stage chosen last (selected in the tree or picked from the status bar),
 * else the pinned one, else the latest call's.
 */
export class RoutingStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('adaptiveRouting.model', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [this.item];
  /** Chosen from the status bar's quick pick; lasts for the session. */
  private picked: { workflow: string; stage: string } | undefined;
  /** When the tree selection and the pick last changed: the later choice wins. */
  private selectedAt = 0;
  private pickedAt = 0;
  private visible = false;

  constructor(
    private readonly service: TelemetryService,
    private readonly tree: StatsTreeProvider,
    private readonly team?: TeamSyncService,
    private readonly receiver?: OtlpReceiverService,
  ) {
    this.item.name = vscode.l10n.t('Adaptive Routing Model');
    this.item.command = Commands.PickStage;
    const update = () => void this.update();
    this.disposables.push(
      service.onDidChange(update),
      ...(team ? [team.onDidChange(update)] : []),
      ...(receiver ? [receiver.onDidChange(update)] : []),
      tree.onDidSelectStage(() => {
        this.selectedAt = Date.now();
        update();
      }),
      vscode.window.onDidChangeTextEditorSelection(update),
      vscode.window.onDidChangeActiveTextEditor(update),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('adaptiveRouting.pinnedStage') && update()),
    );
  }

  pick(stage: { workflow: string; stage: string } | undefined): void {
    this.picked = stage;
    this.pickedAt = Date.now();
    void this.update();
  }

  /** The stage the status bar describes right now, and why. */
  async stageInContext(): Promise<{ stage: StageOverview; source: string } | undefined> {
    const overview = await this.service.overviewWithDecisions();
    const find = (workflow: string, stage: string) => overview.find((w) => w.workflow === workflow)?.stages.find((s) => s.stage === stage);
    const editor = vscode.window.activeTextEditor;
    if (editor) {
      const offset = editor.document.offsetAt(editor.selection.active);
      const line = editor.selection.active.line;
      const declaration = declarationsIn(editor.document).find(
        (d) => (offset >= d.start && offset <= d.end) || editor.document.positionAt(d.start).line === line,
      );
      const found = declaration && find(declaration.workflow, declaration.stage);
      if (found) return { stage: found, source: vscode.l10n.t('stage under the cursor') };
    }
    const selected = this.tree.selection;
    const fromTree = selected && { stage: find(selected.workflow, selected.stage) ?? selected, source: vscode.l10n.t('stage selected in Routing Stats') };
    const picked = this.picked && find(this.picked.workflow, this.picked.stage);
    const fromPick = picked && { stage: picked, source: vscode.l10n.t('stage picked from the status bar') };
    const chosen = fromTree && fromPick ? (this.pickedAt >= this.selectedAt ? fromPick : fromTree) : (fromTree ?? fromPick);
    if (chosen) return chosen;
    const pinned = readSettings().pinnedStage;
    if (pinned.includes('/')) {
      const slash = pinned.indexOf('/');
      const found = find(pinned.slice(0, slash), pinned.slice(slash + 1));
      if (found) return { stage: found, source: vscode.l10n.t('pinned stage (adaptiveRouting.pinnedStage)') };
    }
    const last = this.service.file.lastCall();
    const found = last && find(last.workflow, last.stage);
    return found ? { stage: found, source: vscode.l10n.t('stage of the most recent call') } : undefined;
  }

  async update(): Promise<void> {
    const context = await this.stageInContext().catch(() => undefined);
    const receiving = this.receiver && otlpReceiverText(this.receiver.state);
    if (!context) {
      // No stage to describe yet; a running receiver still says where traces go.
      if (receiving && this.receiver?.state.status === 'running') {
        this.item.text = `$(radio-tower) ${vscode.l10n.t('Receiving traces')}`;
        this.item.backgroundColor = undefined;
        this.item.tooltip = receiving;
        this.item.accessibilityInformation = { label: receiving };
        this.visible = true;
        this.item.show();
        return;
      }
      this.visible = false;
      this.item.hide();
      return;
    }
    const { stage, source } = context;
    const recommendation = stage.recommendation;
    if (!recommendation) return;
    const upgrade = recommendation.change === 'upgrade';
    this.item.text = `$(hubot) ${recommendation.model}`;
    this.item.backgroundColor = upgrade ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = {
      label: vscode.l10n.t('Adaptive routing recommends {0} for {1} {2}', recommendation.model, stage.workflow, stage.stage),
    };
    const chosen = stage.models.find((m) => m.model === recommendation.model);
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: [Commands.CheckStage, Commands.ShowStats, Commands.PickStage, Commands.OpenDashboard] };
    md.appendMarkdown(`**${escapeMarkdown(stageLabelText(stage))}**  \n`);
    md.appendMarkdown(escapeMarkdown(source) + '\n\n');
    md.appendMarkdown(escapeMarkdown(vscode.l10n.t('Model: {0}', recommendation.model)) + '  \n');
    md.appendMarkdown(escapeMarkdown(recommendation.reason) + '  \n');
    if (chosen) {
      md.appendMarkdown(
        escapeMarkdown(
          vscode.l10n.t('Success rate: {0} · cost per success: {1} · n={2}', pct(chosen.successRate), money(chosen.costPerSuccess), chosen.calls),
        ) + '  \n',
      );
    }
    md.appendMarkdown(escapeMarkdown(vscode.l10n.t('Time range: {0}', this.service.rangeLabel)) + '\n\n');
    if (this.team?.state.configured) md.appendMarkdown(`$(cloud) ${escapeMarkdown(teamSyncText(this.team.state))}\n\n`);
    if (receiving) md.appendMarkdown(`$(radio-tower) ${escapeMarkdown(receiving)}\n\n`);
    const change = changeText(recommendation);
    if (upgrade && change) md.appendMarkdown(`$(warning) ${escapeMarkdown(change)}\n\n`);
    const target = { workflow: stage.workflow, stage: stage.stage };
    md.appendMarkdown(
      `[$(checklist) ${vscode.l10n.t('Check this stage')}](${commandLink(Commands.CheckStage, target)}) · [$(graph) ${vscode.l10n.t('Show stats')}](${commandLink(Commands.ShowStats)}) · [$(list-selection) ${vscode.l10n.t('Pick stage')}](${commandLink(Commands.PickStage)}) · [$(graph-line) ${vscode.l10n.t('Dashboard')}](${commandLink(Commands.OpenDashboard, target)})`,
    );
    this.item.tooltip = md;
    this.visible = true;
    this.item.show();
  }

  /** What a person sees, for tests. */
  snapshot(): { text: string; visible: boolean; warning: boolean; tooltip: string } {
    const tooltip = this.item.tooltip;
    return {
      text: this.item.text,
      visible: this.visible,
      warning: this.item.backgroundColor !== undefined,
      tooltip: typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? ''),
    };
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
