import * as vscode from 'vscode';
import { Commands } from '../constants';
import { executeCommand } from '../commands/commandRegistry';
import { coalesced } from '../coalesced';
import { budgetName } from '../../core/budgets/budgetDeclarations';
import { NoticesSeen, dueNotices } from '../../core/budgets/budgetNotices';
import { BudgetStatus, budgetSentence, budgetState, budgetStatuses, tightestBudget } from '../../core/budgets/budgetStatus';
import { positionAt } from '../../core/declarations';
import { dollars } from '../../core/format';
import { DIAGNOSTIC_SOURCE } from '../diagnostics/tierDiagnostics';
import { readSettings } from '../settings';
import type { TelemetryService } from './telemetryService';

/** workspaceState key: per budget and period, the highest threshold already notified. */
const NOTICES_KEY = 'adaptiveRouting.budgetNotices';

/**
 * Every budget's state (the setting's and the manifest's), worked out again when telemetry, the
 * manifest or the setting changes: for the status bar and the tree, notices at 50/75/90/100% once
 * per budget and period, and Problems on a manifest budget whose period is projected past its limit.
 */
export class BudgetMonitor implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private current: BudgetStatus[] = [];
  /** What the statuses showed when listeners were last told. */
  private shown = '[]';
  private readonly problems = vscode.languages.createDiagnosticCollection('adaptiveRouting.budgets');
  private readonly disposables: vscode.Disposable[] = [this.changed, this.problems];

  constructor(
    private readonly service: TelemetryService,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      service.onDidChange(() => void this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('adaptiveRouting.budget') && void this.refresh()),
    );
  }

  /** The budgets' states as last worked out. */
  get statuses(): readonly BudgetStatus[] {
    return this.current;
  }

  /** Per budget and period, the highest threshold noticed so far (kept in the workspace state). */
  get noticed(): Readonly<NoticesSeen> {
    return this.state.get<NoticesSeen>(NOTICES_KEY, {});
  }

  /** The budgets of one workflow (stage undefined) or one stage. */
  of(workflow: string, stage?: string): BudgetStatus[] {
    return this.current.filter((s) => s.budget.scope.workflow === workflow && s.budget.scope.stage === stage);
  }

  /** Works the states out again (one run at a time; a change during a run runs it once more). */
  readonly refresh = coalesced(() => this.run());

  private async run(): Promise<void> {
    const store = await this.service.file.ensureOpen();
    const manifest = await this.service.loadedManifest();
    const budgets = manifest.withSettingBudget(readSettings(this.service.file.uri).budget, this.log);
    try {
      this.current = store && budgets.length ? budgetStatuses(store, this.service.registry, budgets) : [];
    } catch (error) {
      this.log.error(`Cannot work out the budgets: ${(error as Error).message}`);
      this.current = [];
    }
    this.showProblems();
    // The tree and status bar follow telemetry changes already: they re-render for budgets only
    // when what the budgets show moved (never, without budgets).
    const shown = JSON.stringify(this.current.map((s) => [budgetName(s.budget), s.budget.limit, s.budget.onExceeded, s.spent, s.span.start, s.projection]));
    if (shown !== this.shown) this.changed.fire();
    this.shown = shown;
    await this.notify();
  }

  private showProblems(): void {
    this.problems.clear();
    const { uri, text } = this.service.manifest;
    if (!uri || text === undefined) return;
    const diagnostics: vscode.Diagnostic[] = [];
    for (const s of this.current) {
      const p = s.projection;
      const state = budgetState(s);
      if (s.budget.source !== 'manifest' || s.budget.offset === undefined || state === 'ok') continue;
      const start = positionAt(text, s.budget.offset);
      const end = positionAt(text, s.budget.offset + (s.budget.length ?? 1));
      const message = budgetSentence(s);
      // Past the limit already, or projected past it even at the low end of the interval: a warning.
      const sure = state === 'spent' || (p.usd !== undefined && p.low > s.budget.limit);
      const d = new vscode.Diagnostic(
        new vscode.Range(start.line, start.character, end.line, end.character),
        message,
        sure ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information,
      );
      d.source = DIAGNOSTIC_SOURCE;
      d.code = state === 'spent' ? 'budget-spent' : 'budget-projected-over';
      diagnostics.push(d);
    }
    if (diagnostics.length) this.problems.set(uri, diagnostics);
  }

  /** A notice for each budget that reached a threshold not yet noticed in its period (the highest one only). */
  private async notify(): Promise<void> {
    const { due, seen } = dueNotices(this.current, this.state.get<NoticesSeen>(NOTICES_KEY, {}), Date.now());
    await this.state.update(NOTICES_KEY, seen);
    if (due.length === 0) return;
    // One notice per refresh, for the budget nearest its limit; the others are named by count.
    const s = tightestBudget(due);
    const what = budgetName(s.budget);
    let message =
      s.reached >= 1
        ? vscode.l10n.t('Adaptive Routing: the {0} is spent ({1} of {2} {3}).', what, dollars(s.usd), dollars(s.budget.limit), s.span.label)
        : vscode.l10n.t(
            'Adaptive Routing: {0}% of the {1} is spent ({2} of {3} {4}).',
            Math.round(s.reached * 100),
            what,
            dollars(s.usd),
            dollars(s.budget.limit),
            s.span.label,
          );
    if (due.length === 2) message += ' ' + vscode.l10n.t('Another budget passed a threshold too.');
    else if (due.length > 2) message += ' ' + vscode.l10n.t('{0} other budgets passed a threshold too.', due.length - 1);
    const show = s.reached >= 0.9 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(message, vscode.l10n.t('Show Budgets')).then((choice) => choice && executeCommand(Commands.ShowBudgets));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
